import "server-only";
/**
 * The one way the console checks a passkey assertion (docs/security-requirements.md C1-C4, C6), inside the
 * caller's transaction: the stored challenge is consumed once; the credential must be an
 * active passkey (of `userId` when the ceremony is for a known user); a user handle, when
 * present, must be the owner's (required for a discoverable sign-in); signature, origin, RP ID
 * and user verification are checked by @simplewebauthn/server, which also refuses a counter
 * that went backwards (a cloned key). The stored counter only moves forward. Fails closed.
 */
import {
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
} from "@simplewebauthn/server";
import type { Prisma } from "@/generated/prisma/client";
import type { Tx } from "./audit";
import { consumeChallenge, RELYING_PARTY } from "./relying-party";

export type AssertionResult =
  | { ok: true; passkey: { id: string; userId: string; modelName: string | null } }
  | { ok: false; detail: string };

export async function verifyPasskeyAssertion(
  tx: Tx,
  input: {
    response: AuthenticationResponseJSON;
    /** Which stored challenges this ceremony may consume. */
    challengeScope: Prisma.WebAuthnChallengeWhereInput;
    /** The user the ceremony is for; null for a discoverable sign-in. */
    userId: string | null;
    requireUserHandle: boolean;
  },
): Promise<AssertionResult> {
  const challenge = await consumeChallenge(
    tx,
    input.response.response.clientDataJSON,
    input.challengeScope,
  );
  if (!challenge)
    return { ok: false, detail: "challenge unknown, used, expired or for another ceremony" };

  const passkey = await tx.passkey.findUnique({
    where: { credentialId: input.response.id },
    include: { user: { select: { webauthnUserId: true } } },
  });
  if (
    !passkey ||
    passkey.status !== "ACTIVE" ||
    (input.userId !== null && passkey.userId !== input.userId)
  ) {
    return { ok: false, detail: "credential not bound to this user, or not active" };
  }
  const userHandle = input.response.response.userHandle;
  if (input.requireUserHandle && !userHandle) return { ok: false, detail: "no user handle" };
  if (
    userHandle &&
    !Buffer.from(userHandle, "base64url").equals(Buffer.from(passkey.user.webauthnUserId))
  ) {
    return { ok: false, detail: "user handle does not match" };
  }

  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: RELYING_PARTY.origin,
      expectedRPID: RELYING_PARTY.id,
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: Number(passkey.counter),
        transports: passkey.transports as never,
      },
    });
  } catch (error) {
    return {
      ok: false,
      detail: `verification failed: ${String((error as Error).message).slice(0, 200)}`,
    };
  }
  if (!verification.verified || !verification.authenticationInfo.userVerified)
    return { ok: false, detail: "verification failed" };

  const newCounter = BigInt(verification.authenticationInfo.newCounter);
  await tx.passkey.updateMany({
    where: { id: passkey.id, counter: { lt: newCounter } },
    data: { counter: newCounter },
  });
  await tx.passkey.update({ where: { id: passkey.id }, data: { lastUsedAt: new Date() } });
  return {
    ok: true,
    passkey: { id: passkey.id, userId: passkey.userId, modelName: passkey.modelName },
  };
}
