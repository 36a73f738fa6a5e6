"use server";

import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { cookies } from "next/headers";
import { publicAction, publicButtonAction, publicCall } from "@/lib/auth/actions";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { DomainError } from "@/lib/domain/errors";
import { secureCookies } from "@/lib/env";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import {
  AuthenticationResponseSchema,
  RegistrationResponseSchema,
} from "@/lib/domain/webauthn-responses";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import {
  finishWorkforceReverification,
  startWorkforceReverification,
} from "@/lib/server/reverify-workforce-session";
import { endWorkforceSession } from "@/lib/server/end-workforce-session";
import {
  RemovePasskeySchema,
  RenamePasskeySchema,
  SignOutEverywhereSchema,
} from "@/lib/domain/account-changes";
import {
  removePasskey,
  renamePasskey,
  reportPasskeyLost,
  signOutEverywhere,
} from "@/lib/server/account-changes";

const UNEXPECTED_RESPONSE = "The browser sent an unexpected response. Try again.";

/** The account session's token (read before any input is parsed), or a refusal that asks the user to start again. */
async function sessionToken(): Promise<string> {
  const token = (await cookies()).get(workforceSessionCookie(secureCookies).name)?.value;
  if (!token)
    throw new DomainError(
      "UNAUTHENTICATED",
      "Your session has ended. Use your pass again, or call the service desk.",
    );
  return token;
}

/**
 * PUBLIC: for workforce users, not staff. The account session cookie (from a redeemed pass, or a
 * passkey sign-in freshly verified) is the credential, checked in startPasskeyRegistration.
 */
export const startRegistrationAction = publicCall(
  [],
  async ({ credential: token, request }) =>
    startPasskeyRegistration({ grant: { kind: "session", token }, request }),
  {
    credential: sessionToken,
  },
);

/**
 * PUBLIC: for workforce users, not staff. The account session cookie is the credential, and
 * the server-side challenge bound to it; both are checked in finishPasskeyRegistration.
 */
export const finishRegistrationAction = publicCall(
  [{ schema: RegistrationResponseSchema, invalid: UNEXPECTED_RESPONSE }],
  async ({ input: [response], credential: token, request }) => {
    const value = await finishPasskeyRegistration({
      grant: { kind: "session", token },
      response: response as unknown as RegistrationResponseJSON,
      request,
    });
    // No revalidation: the pass yielded its one passkey and its session is gone, so a re-render
    // would replace the result with the sign-in screen. The page keeps the result on screen (a
    // passkey session's page refreshes itself to list the new passkey).
    return value;
  },
  { credential: sessionToken },
);

/**
 * PUBLIC: for workforce users, not staff. "Confirm it's you": the account session cookie is the
 * credential (a passkey session of a person still employed), checked in startWorkforceReverification.
 */
export const startReverifyAction = publicCall(
  [],
  async ({ credential: token, request }) => startWorkforceReverification({ token, request }),
  { credential: sessionToken },
);

/**
 * PUBLIC: the session cookie and the assertion by one of that session user's own passkeys, with
 * user verification, are checked in finishWorkforceReverification. Returns until when the
 * session may add a passkey.
 */
export const finishReverifyAction = publicCall(
  [{ schema: AuthenticationResponseSchema, invalid: UNEXPECTED_RESPONSE }],
  async ({ input: [response], credential: token, request }) => {
    const { freshUntil } = await finishWorkforceReverification({
      token,
      response: response as unknown as AuthenticationResponseJSON,
      request,
    });
    return { freshUntil: freshUntil.toISOString() };
  },
  { credential: sessionToken },
);

/** PUBLIC: signing in is what people without a session do; the passkey is the credential. */
export const startSignInAction = publicCall([], async ({ request }) =>
  startWorkforceSignIn(request),
);

/** PUBLIC: the assertion is checked in finishWorkforceSignIn (challenge, owner, UV, counter). */
export const finishSignInAction = publicCall(
  [{ schema: AuthenticationResponseSchema, invalid: UNEXPECTED_RESPONSE }],
  async ({ input: [response], request }) => {
    const { token, expiresAt } = await finishWorkforceSignIn({
      response: response as unknown as AuthenticationResponseJSON,
      request,
    });
    const cookie = workforceSessionCookie(secureCookies);
    (await cookies()).set(cookie.name, token, { ...cookie.options, expires: expiresAt });
    return null;
  },
);

/** PUBLIC: signing out needs only the session being ended; it is deleted server-side. */
export const signOutAccountAction = publicButtonAction(
  async () => {
    const jar = await cookies();
    const cookie = workforceSessionCookie(secureCookies);
    const token = jar.get(cookie.name)?.value;
    if (token) await endWorkforceSession({ token });
    jar.delete({ name: cookie.name, path: "/" });
  },
  { revalidate: "/account" },
);

// Self-service changes on /account (docs/decisions/036). Each reads the account session cookie
// before the form; the use case checks it under the person's lock, with the passkey named.

/**
 * PUBLIC: for workforce users, not staff. The account session cookie is the credential; renamePasskey
 * checks it is a passkey session of a person still employed and that the passkey is theirs and active.
 */
export const renamePasskeyAction = publicAction(
  RenamePasskeySchema,
  async ({ input, request }) => {
    const token = await sessionToken();
    await renamePasskey({ token, ...input, request });
    return input.nickname ? "Renamed." : "Name cleared.";
  },
  { revalidate: "/account" },
);

/**
 * PUBLIC: the account session cookie is the credential; removePasskey checks it, the passkey, a
 * fresh "Confirm it's you", and the last-passkey confirmation.
 */
export const removePasskeyAction = publicAction(
  RemovePasskeySchema,
  async ({ input, request }) => {
    const token = await sessionToken();
    const { last } = await removePasskey({ token, ...input, request });
    return last
      ? "Removed. That was your last passkey: call the service desk to set up a new one."
      : "Removed. We emailed you about it.";
  },
  { revalidate: "/account" },
);

/**
 * PUBLIC: the account session cookie is the credential; reportPasskeyLost checks it, the passkey
 * and a fresh "Confirm it's you". Every session ends, this one included, so the cookie goes too.
 */
export const reportLostAction = publicAction(
  RemovePasskeySchema,
  async ({ input, request }) => {
    const token = await sessionToken();
    await reportPasskeyLost({ token, ...input, request });
    (await cookies()).delete({ name: workforceSessionCookie(secureCookies).name, path: "/" });
    return "Reported. That passkey no longer works and you were signed out everywhere, here too. Sign in again with a passkey you still have.";
  },
  { revalidate: "/account" },
);

/** PUBLIC: the account session cookie is the credential; signOutEverywhere checks it. */
export const signOutEverywhereAction = publicAction(
  SignOutEverywhereSchema,
  async ({ request }) => {
    const token = await sessionToken();
    await signOutEverywhere({ token, request });
    (await cookies()).delete({ name: workforceSessionCookie(secureCookies).name, path: "/" });
    return "You were signed out everywhere, here too.";
  },
  { revalidate: "/account" },
);
