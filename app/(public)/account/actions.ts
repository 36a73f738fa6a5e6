"use server";

import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { isDomainError } from "@/lib/domain/errors";
import { secureCookies } from "@/lib/env";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { getRequestContext } from "@/lib/server/request-context";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { RegistrationResponseSchema } from "./registration-response";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import { endWorkforceSession } from "@/lib/server/end-workforce-session";

type Result<T> = { ok: true; value: T } | { ok: false; message: string };

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/).max(20_000);

const AuthenticationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal("public-key"),
  response: z.object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

async function sessionToken(): Promise<string | null> {
  return (await cookies()).get(workforceSessionCookie(secureCookies).name)?.value ?? null;
}

const SIGNED_OUT = "Your session has ended. Use your pass again, or call the service desk.";

/**
 * PUBLIC: for workforce users, not staff. The account session cookie (from a redeemed pass)
 * is the credential, checked in startPasskeyRegistration.
 */
export async function startRegistrationAction(): Promise<Result<PublicKeyCredentialCreationOptionsJSON>> {
  const token = await sessionToken();
  if (!token) return { ok: false, message: SIGNED_OUT };
  try {
    return { ok: true, value: await startPasskeyRegistration({ grant: { kind: "session", token } }) };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}

/**
 * PUBLIC: for workforce users, not staff. The account session cookie is the credential, and
 * the server-side challenge bound to it; both are checked in finishPasskeyRegistration.
 */
export async function finishRegistrationAction(response: unknown): Promise<Result<{ model: string }>> {
  const token = await sessionToken();
  if (!token) return { ok: false, message: SIGNED_OUT };
  const parsed = RegistrationResponseSchema.safeParse(response);
  if (!parsed.success) return { ok: false, message: "The browser sent an unexpected response. Try again." };
  try {
    const value = await finishPasskeyRegistration({
      grant: { kind: "session", token },
      response: parsed.data as unknown as RegistrationResponseJSON,
      request: await getRequestContext(),
    });
    revalidatePath("/account");
    return { ok: true, value };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}

/** PUBLIC: signing in is what people without a session do; the passkey is the credential. */
export async function startSignInAction(): Promise<Result<PublicKeyCredentialRequestOptionsJSON>> {
  return { ok: true, value: await startWorkforceSignIn() };
}

/** PUBLIC: the assertion is checked in finishWorkforceSignIn (challenge, owner, UV, counter). */
export async function finishSignInAction(response: unknown): Promise<Result<null>> {
  const parsed = AuthenticationResponseSchema.safeParse(response);
  if (!parsed.success) return { ok: false, message: "The browser sent an unexpected response. Try again." };
  try {
    const { token, expiresAt } = await finishWorkforceSignIn({ response: parsed.data as unknown as AuthenticationResponseJSON, request: await getRequestContext() });
    const cookie = workforceSessionCookie(secureCookies);
    (await cookies()).set(cookie.name, token, { ...cookie.options, expires: expiresAt });
    return { ok: true, value: null };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, message: error.userMessage };
    throw error;
  }
}

/** PUBLIC: signing out needs only the session being ended; it is deleted server-side. */
export async function signOutAccountAction(): Promise<void> {
  const jar = await cookies();
  const cookie = workforceSessionCookie(secureCookies);
  const token = jar.get(cookie.name)?.value;
  if (token) await endWorkforceSession({ token });
  jar.delete({ name: cookie.name, path: "/" });
  revalidatePath("/account");
}
