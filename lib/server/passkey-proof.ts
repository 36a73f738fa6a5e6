import "server-only";
/**
 * Proof of a remaining passkey: the user follows their one-time link and signs in with a
 * passkey they still have. The step passes only on a verified assertion, with user
 * verification, by an active passkey of *this* user (SECURITY.md C1, C3, C4, C6).
 */
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import type { RequestContext } from "./request-context";
import { CEREMONY_TIMEOUT_MS, challengeFromClientData, RELYING_PARTY } from "./relying-party";
import { completeLinkedStep, findUsableStepLink, INVALID_LINK, refuseStepLink } from "./step-links";

export async function getPasskeyProof(token: string) {
  const link = await db.$transaction((tx) => findUsableStepLink(tx, token, "PASSKEY_PROOF", { lock: false }));
  return link ? { name: link.case.user.name } : null;
}

/** Authentication options for the link's user: their active passkeys only, UV required. */
export async function startPasskeyProof(input: { token: string }): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const link = await db.$transaction((tx) => findUsableStepLink(tx, input.token, "PASSKEY_PROOF", { lock: false }));
  if (!link) throw new DomainError("SEQUENCE", INVALID_LINK);
  const passkeys = await db.passkey.findMany({ where: { userId: link.case.userId, status: "ACTIVE" }, select: { credentialId: true, transports: true } });
  const options = await generateAuthenticationOptions({
    rpID: RELYING_PARTY.id,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_MS,
  });
  await db.webAuthnChallenge.create({
    data: { challenge: options.challenge, purpose: "proof", userId: link.case.userId, stepLinkId: link.id, expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS) },
  });
  return options;
}

/**
 * Verifies the assertion and completes the step. Everything is judged inside one transaction
 * on the locked link: the challenge is consumed once; the credential must be an active passkey
 * of the case's user and, if the authenticator names a user handle, it must be theirs; the
 * signature, origin, RP ID and user verification are checked by the library (which also
 * refuses a counter that went backwards: a cloned key); the stored counter only moves forward.
 */
export async function finishPasskeyProof(input: { token: string; response: AuthenticationResponseJSON; request?: RequestContext }): Promise<{ complete: boolean }> {
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; complete: boolean }> => {
    const link = await findUsableStepLink(tx, input.token, "PASSKEY_PROOF", { lock: true });
    if (!link) return refuseStepLink(tx, { actor: { type: "ANONYMOUS" }, detail: "passkey proof link unknown, used, voided or expired", request: input.request });
    const user = link.case.user;
    const actor = { type: "WORKFORCE_USER" as const, id: user.id, name: user.name };
    const refuse = (detail: string) => refuseStepLink(tx, { actor, detail, code: "INVALID_INPUT", caseId: link.case.id, subjectUserId: user.id, request: input.request });

    const challenge = challengeFromClientData(input.response.response.clientDataJSON);
    const consumed = challenge
      ? await tx.webAuthnChallenge.updateMany({
          where: { challenge, purpose: "proof", stepLinkId: link.id, usedAt: null, expiresAt: { gt: new Date() } },
          data: { usedAt: new Date() },
        })
      : { count: 0 };
    if (consumed.count !== 1) return refuse("challenge unknown, used, expired or for another link");

    const passkey = await tx.passkey.findUnique({ where: { credentialId: input.response.id } });
    if (!passkey || passkey.userId !== user.id || passkey.status !== "ACTIVE") return refuse("credential not bound to this user");
    const userHandle = input.response.response.userHandle;
    if (userHandle && !Buffer.from(userHandle, "base64url").equals(Buffer.from(user.webauthnUserId))) return refuse("user handle does not match");

    let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verification = await verifyAuthenticationResponse({
        response: input.response,
        expectedChallenge: challenge!,
        expectedOrigin: RELYING_PARTY.origin,
        expectedRPID: RELYING_PARTY.id,
        requireUserVerification: true,
        credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter), transports: passkey.transports as never },
      });
    } catch (error) {
      return refuse(`verification failed: ${String((error as Error).message).slice(0, 200)}`);
    }
    if (!verification.verified || !verification.authenticationInfo.userVerified) return refuse("verification failed");

    const newCounter = BigInt(verification.authenticationInfo.newCounter);
    await tx.passkey.updateMany({ where: { id: passkey.id, counter: { lt: newCounter } }, data: { counter: newCounter } });
    await tx.passkey.update({ where: { id: passkey.id }, data: { lastUsedAt: new Date() } });
    return completeLinkedStep(tx, {
      linkId: link.id,
      caseId: link.case.id,
      kind: "PASSKEY_PROOF",
      outcome: "PASSED",
      actor,
      note: `Signed in with ${passkey.modelName ?? "a passkey"}`,
      evidence: { passkeyId: passkey.id, model: passkey.modelName, userVerified: true },
      request: input.request,
    });
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { complete: result.complete };
}
