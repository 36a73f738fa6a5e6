import "server-only";
/**
 * Workforce sign-in to the account pages with a passkey (discoverable credential, user
 * verification required). The assertion is checked by verifyPasskeyAssertion under the owner's
 * row lock, the lock revocation takes: a passkey revoked a moment ago fails here.
 */
import { generateAuthenticationOptions, type AuthenticationResponseJSON, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import type { RequestContext } from "./request-context";
import { hashToken, newToken } from "./secrets";
import { verifyPasskeyAssertion } from "./verify-passkey-assertion";

export const WORKFORCE_SESSION_HOURS = 8;
const REFUSED = "That passkey cannot sign you in. If you lost your devices, call the service desk.";

export async function startWorkforceSignIn(): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({ rpID: RELYING_PARTY.id, userVerification: "required", timeout: CEREMONY_TIMEOUT_MS });
  await db.webAuthnChallenge.create({ data: { challenge: options.challenge, purpose: "authenticate", expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS) } });
  return options;
}

export async function finishWorkforceSignIn(input: { response: AuthenticationResponseJSON; request?: RequestContext }): Promise<{ token: string; expiresAt: Date }> {
  const result = await db.$transaction(async (tx) => {
    const owner = await tx.passkey.findUnique({ where: { credentialId: input.response.id }, select: { userId: true } });
    if (owner) await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${owner.userId}::uuid FOR UPDATE`;
    const assertion = await verifyPasskeyAssertion(tx, {
      response: input.response,
      challengeScope: { purpose: "authenticate" },
      userId: null,
      requireUserHandle: true,
    });
    if (!assertion.ok) {
      await recordAudit(tx, {
        action: "workforce.sign_in_refused",
        outcome: "REFUSED",
        reason: "INVALID_INPUT",
        actor: { type: "ANONYMOUS" },
        subjectUserId: owner?.userId,
        data: { detail: assertion.detail },
        request: input.request,
      });
      return { ok: false as const };
    }
    const user = await tx.workforceUser.findUniqueOrThrow({ where: { id: assertion.passkey.userId }, select: { id: true, name: true } });
    const token = newToken();
    const expiresAt = new Date(Date.now() + WORKFORCE_SESSION_HOURS * 60 * 60 * 1000);
    await tx.workforceSession.create({ data: { userId: user.id, tokenHash: hashToken(token), method: "passkey", expiresAt } });
    await recordAudit(tx, {
      action: "workforce.signed_in",
      outcome: "ALLOWED",
      actor: { type: "WORKFORCE_USER", id: user.id, name: user.name },
      subjectUserId: user.id,
      target: { type: "passkey", id: assertion.passkey.id },
      data: { model: assertion.passkey.modelName ?? "Unknown authenticator" },
      request: input.request,
    });
    return { ok: true as const, token, expiresAt };
  });
  if (!result.ok) throw new DomainError("INVALID_INPUT", REFUSED);
  return { token: result.token, expiresAt: result.expiresAt };
}
