import "server-only";
/**
 * Proof of a remaining passkey: the user follows their one-time link and signs in with a
 * passkey they still have. The step passes only on a verified assertion, with user
 * verification, by an active passkey of *this* user (docs/security-requirements.md C1, C3, C4, C6).
 */
import {
  generateAuthenticationOptions,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { decideRecordStep } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import type { RequestContext } from "./request-context";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import {
  answerStepLink,
  completeLinkedStep,
  findUsableStepLink,
  refuseUnusableStepLink,
} from "./step-links";
import { verifyPasskeyAssertion } from "./verify-passkey-assertion";
import { spendLinkTry } from "./rate-limit";
import { recordBreakGlassPasskeyUse } from "./break-glass";

export async function getPasskeyProof(token: string) {
  const link = await findUsableStepLink(token, "PASSKEY_PROOF");
  return link ? { name: link.case.user.name } : null;
}

/** Authentication options for the link's user: their active passkeys only, UV required. */
export async function startPasskeyProof(input: {
  token: string;
  request?: RequestContext;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  await spendLinkTry("step.link_refused", input.request);
  const link = await findUsableStepLink(input.token, "PASSKEY_PROOF");
  if (!link) return refuseUnusableStepLink(input.token, "passkey proof start", input.request);
  const passkeys = await db.passkey.findMany({
    where: { userId: link.case.userId, status: "ACTIVE" },
    select: { credentialId: true, transports: true },
  });
  const options = await generateAuthenticationOptions({
    rpID: RELYING_PARTY.id,
    allowCredentials: passkeys.map((p) => ({
      id: p.credentialId,
      transports: p.transports as never,
    })),
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_MS,
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "proof",
      userId: link.case.userId,
      stepLinkId: link.id,
      expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

/**
 * Verifies the assertion (verifyPasskeyAssertion: an active passkey of the case's user, UV,
 * single-use challenge bound to this link) and completes the step, under the unit of work's
 * locks (user → case → link). A failed ceremony is audited and leaves the step to do.
 */
export async function finishPasskeyProof(input: {
  token: string;
  response: AuthenticationResponseJSON;
  request?: RequestContext;
}): Promise<{ complete: boolean }> {
  return answerStepLink(
    {
      token: input.token,
      kind: "PASSKEY_PROOF",
      attempted: "passkey proof",
      request: input.request,
      actorFor: (link) => ({
        type: "WORKFORCE_USER",
        id: link.case.user.id,
        name: link.case.user.name,
      }),
    },
    async (unit, link, refuse) => {
      // Judge the step first: a refused answer must not consume the ceremony nor move the counter.
      const allowed = decideRecordStep({
        policy: unit.policy,
        facts: unit.facts,
        kind: "PASSKEY_PROOF",
        outcome: "PASSED",
        by: "responder",
      });
      if (!allowed.ok) return refuse(allowed);
      const assertion = await verifyPasskeyAssertion(unit.tx, {
        response: input.response,
        challengeScope: { purpose: "proof", stepLinkId: link.id },
        userId: link.case.userId,
        requireUserHandle: false,
      });
      if (!assertion.ok)
        return refuse({ ok: false, code: "INVALID_INPUT", message: assertion.detail });
      const passkey = assertion.passkey;
      // Whoever holds a break-glass account's passkey acts as the account: an incident unless
      // security declared a test, like a sign-in (docs/decisions/039).
      await recordBreakGlassPasskeyUse(unit.tx, {
        user: link.case.user,
        model: passkey.modelName ?? "Unknown authenticator",
        now: unit.now,
        use: { kind: "case proof", caseId: link.case.id },
        request: input.request,
      });
      return completeLinkedStep(unit, refuse, {
        linkId: link.id,
        kind: "PASSKEY_PROOF",
        outcome: "PASSED",
        note: `Signed in with ${passkey.modelName ?? "a passkey"}`,
        evidence: { passkeyId: passkey.id, model: passkey.modelName, userVerified: true },
      });
    },
  );
}
