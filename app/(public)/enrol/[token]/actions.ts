"use server";

import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { isDomainError } from "@/lib/domain/errors";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { getRequestContext } from "@/lib/server/request-context";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { RegistrationResponseSchema } from "../../account/registration-response";

type Result<T> = { ok: true; value: T } | { ok: false; message: string };
const Token = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const INVALID = "This link is not valid any more. Call the service desk if you still need a new passkey.";

/** PUBLIC: the one-time enrolment link's token is the credential, checked in startPasskeyRegistration. */
export async function startLinkRegistrationAction(token: unknown): Promise<Result<PublicKeyCredentialCreationOptionsJSON>> {
  const parsed = Token.safeParse(token);
  if (!parsed.success) return { ok: false, message: INVALID };
  try {
    return { ok: true, value: await startPasskeyRegistration({ grant: { kind: "link", token: parsed.data } }) };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}

/** PUBLIC: the link's token and the challenge bound to it are checked in finishPasskeyRegistration. */
export async function finishLinkRegistrationAction(token: unknown, response: unknown): Promise<Result<{ model: string }>> {
  const parsedToken = Token.safeParse(token);
  const parsedResponse = RegistrationResponseSchema.safeParse(response);
  if (!parsedToken.success) return { ok: false, message: INVALID };
  if (!parsedResponse.success) return { ok: false, message: "The browser sent an unexpected response. Try again." };
  try {
    const value = await finishPasskeyRegistration({
      grant: { kind: "link", token: parsedToken.data },
      response: parsedResponse.data as unknown as RegistrationResponseJSON,
      request: await getRequestContext(),
    });
    return { ok: true, value };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}
