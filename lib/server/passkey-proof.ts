import "server-only";
/**
 * Proof of a remaining passkey: the user follows their one-time link and signs in with a
 * passkey they still have. The step passes only on a verified assertion, with user
 * verification, by an active passkey of *this* user (SECURITY.md C1, C3, C4, C6).
 */
import { generateAuthenticationOptions, type AuthenticationResponseJSON, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import type { RequestContext } from "./request-context";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import { completeLinkedStep, findUsableStepLink, INVALID_LINK, refuseStepLink } from "./step-links";
import { verifyPasskeyAssertion } from "./verify-passkey-assertion";

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
 * Verifies the assertion (verifyPasskeyAssertion: an active passkey of the case's user, UV,
 * single-use challenge bound to this link) and completes the step, on the locked link.
 */
export async function finishPasskeyProof(input: { token: string; response: AuthenticationResponseJSON; request?: RequestContext }): Promise<{ complete: boolean }> {
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; complete: boolean }> => {
    const link = await findUsableStepLink(tx, input.token, "PASSKEY_PROOF", { lock: true });
    if (!link) return refuseStepLink(tx, { actor: { type: "ANONYMOUS" }, detail: "passkey proof link unknown, used, voided or expired", request: input.request });
    const user = link.case.user;
    const actor = { type: "WORKFORCE_USER" as const, id: user.id, name: user.name };
    const refuse = (detail: string) => refuseStepLink(tx, { actor, detail, code: "INVALID_INPUT", caseId: link.case.id, subjectUserId: user.id, request: input.request });

    const assertion = await verifyPasskeyAssertion(tx, {
      response: input.response,
      challengeScope: { purpose: "proof", stepLinkId: link.id },
      userId: user.id,
      requireUserHandle: false,
    });
    if (!assertion.ok) return refuse(assertion.detail);
    const passkey = assertion.passkey;
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
