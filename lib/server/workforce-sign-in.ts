import "server-only";
/**
 * Workforce sign-in to the account pages with a passkey (discoverable credential, user
 * verification required). The assertion is checked by verifyPasskeyAssertion under the owner's
 * row lock, the lock revocation takes: a passkey revoked a moment ago fails here.
 */
import {
  generateAuthenticationOptions,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { DomainError } from "@/lib/domain/errors";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { recordAudit, type Tx, auditedTransaction } from "./audit";
import { recordBreakGlassPasskeyUse } from "./break-glass";
import { runUserWork } from "./cases/unit-of-work";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import { clientKey, limitKey, spendOrRefuse } from "./rate-limit";
import { countRefusal } from "./refusal-tally";
import type { RequestContext } from "./request-context";
import { hashToken, newToken } from "./secrets";
import { verifyPasskeyAssertion } from "./verify-passkey-assertion";

const REFUSED = "That passkey cannot sign you in. If you lost your devices, call the service desk.";

export async function startWorkforceSignIn(
  request?: RequestContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  await spendOrRefuse("workforce.sign_in_refused", [
    { limit: "signIn.client", key: clientKey(request) },
  ]);
  const options = await generateAuthenticationOptions({
    rpID: RELYING_PARTY.id,
    userVerification: "required",
    timeout: CEREMONY_TIMEOUT_MS,
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "authenticate",
      expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

/**
 * Verifies a discoverable passkey sign-in under the owner's row lock (the unit of work's first
 * lock, the one revocation and every stop path take): a passkey revoked a moment ago fails here,
 * and so does any passkey of a person who left or is suspended.
 */
export async function finishWorkforceSignIn(input: {
  response: AuthenticationResponseJSON;
  request?: RequestContext;
}): Promise<{ token: string; expiresAt: Date }> {
  const refusal = { ok: false as const, code: "INVALID_INPUT" as const, message: REFUSED };
  const refuseIn = async (tx: Tx, detail: string, subjectUserId?: string) => {
    await recordAudit(tx, {
      action: "workforce.sign_in_refused",
      outcome: "REFUSED",
      reason: "INVALID_INPUT",
      actor: { type: "ANONYMOUS" },
      subjectUserId,
      data: { detail },
      request: input.request,
    });
    return refusal;
  };
  await spendOrRefuse("workforce.sign_in_refused", [
    { limit: "signIn.client", key: clientKey(input.request) },
    { limit: "signIn.account", key: limitKey("credential", input.response.id) },
  ]);
  const owner = await db.passkey.findUnique({
    where: { credentialId: input.response.id },
    select: { userId: true },
  });
  if (!owner) {
    // Still consume the challenge, so an unknown credential cannot probe with it again. Names
    // nobody we hold: counted, not audited (decision 002).
    await auditedTransaction(db, async (tx) => {
      await verifyPasskeyAssertion(tx, {
        response: input.response,
        challengeScope: { purpose: "authenticate" },
        userId: null,
        requireUserHandle: true,
      });
    });
    await countRefusal("workforce.sign_in_refused", "UNKNOWN_CREDENTIAL");
    throw new DomainError("INVALID_INPUT", REFUSED);
  }
  return runUserWork(
    {
      userId: owner.userId,
      actor: { kind: "public", audit: { type: "ANONYMOUS" } },
      attempted: "sign in",
      refusalAction: "workforce.sign_in_refused",
      request: input.request,
    },
    async ({ tx, now }) => {
      const assertion = await verifyPasskeyAssertion(tx, {
        response: input.response,
        challengeScope: { purpose: "authenticate" },
        userId: null,
        requireUserHandle: true,
      });
      if (!assertion.ok) return refuseIn(tx, assertion.detail, owner.userId);
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: assertion.passkey.userId },
        select: { id: true, name: true, employeeId: true, status: true, leavingOn: true },
      });
      if (isLeaver(user, now))
        return refuseIn(
          tx,
          `the person is ${user.status === "SUSPENDED" ? "suspended" : "a leaver"}`,
          user.id,
        );
      const token = newToken();
      const expiresAt = new Date(
        now.getTime() + ACTIVE_POLICY.lifetimes.workforceSessionHours * 60 * 60 * 1000,
      );
      // The assertion was user-verified: the session starts freshly verified, so it may add one
      // passkey within the policy's window without confirming again (docs/decisions/016).
      await tx.workforceSession.create({
        data: {
          userId: user.id,
          tokenHash: hashToken(token),
          method: "passkey",
          expiresAt,
          verifiedAt: now,
        },
      });
      await recordAudit(tx, {
        action: "workforce.signed_in",
        outcome: "ALLOWED",
        actor: { type: "WORKFORCE_USER", id: user.id, name: user.name },
        subjectUserId: user.id,
        target: { type: "passkey", id: assertion.passkey.id },
        data: { model: assertion.passkey.modelName ?? "Unknown authenticator" },
        request: input.request,
      });
      // A break-glass account's sign-in is a declared test or an incident (docs/decisions/039).
      await recordBreakGlassPasskeyUse(tx, {
        user,
        model: assertion.passkey.modelName ?? "Unknown authenticator",
        now,
        use: { kind: "sign-in" },
        request: input.request,
      });
      return { ok: true, value: { token, expiresAt } };
    },
  );
}
