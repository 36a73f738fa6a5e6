"use server";

import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { isDomainError } from "@/lib/domain/errors";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";
import { getRequestContext } from "@/lib/server/request-context";

type Result<T> = { ok: true; value: T } | { ok: false; message: string };

const Token = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/).max(20_000);
/** The browser's assertion, parsed at the boundary; the library verifies the rest. */
const AuthenticationResponseSchema = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

const INVALID = "This link is not valid any more. It may have been used, replaced or expired.";

/** PUBLIC: the one-time link's token is the credential, checked in startPasskeyProof. */
export async function startProofAction(token: unknown): Promise<Result<PublicKeyCredentialRequestOptionsJSON>> {
  const parsed = Token.safeParse(token);
  if (!parsed.success) return { ok: false, message: INVALID };
  try {
    return { ok: true, value: await startPasskeyProof({ token: parsed.data }) };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}

/** PUBLIC: the link's token and the server-side challenge bound to it are checked in finishPasskeyProof. */
export async function finishProofAction(token: unknown, response: unknown): Promise<Result<{ complete: boolean }>> {
  const parsedToken = Token.safeParse(token);
  const parsedResponse = AuthenticationResponseSchema.safeParse(response);
  if (!parsedToken.success) return { ok: false, message: INVALID };
  if (!parsedResponse.success) return { ok: false, message: "The browser sent an unexpected response. Try again." };
  try {
    const value = await finishPasskeyProof({
      token: parsedToken.data,
      response: parsedResponse.data as unknown as AuthenticationResponseJSON,
      request: await getRequestContext(),
    });
    return { ok: true, value };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}
