import "server-only";
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from "@simplewebauthn/server";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/lib/db";
import {
  auditRefusedGrant,
  auditUnusableGrant,
  resolveGrant,
  type RegistrationGrant,
} from "./registration-grant";
import { spendLinkTry } from "./rate-limit";
import type { RequestContext } from "./request-context";
import { CEREMONY_TIMEOUT_MS, RELYING_PARTY } from "./relying-party";
import { auditedTransaction } from "./audit";

/**
 * Begins a passkey registration for the holder of a grant (a pass session, an enrolment link, or
 * a freshly verified passkey session): user verification and a discoverable credential required,
 * existing passkeys excluded, and the challenge stored server-side, bound to the grant, for one
 * use within the timeout. A passkey session that may not register now is refused, audited, with
 * what to do (confirm it's you first).
 */
export async function startPasskeyRegistration(input: {
  grant: RegistrationGrant;
  request?: RequestContext;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  if (input.grant.kind === "link") await spendLinkTry("passkey.enrol_refused", input.request);
  const grant = await auditedTransaction(db, (tx) => resolveGrant(tx, input.grant));
  if (!grant) {
    await auditUnusableGrant(input.grant, "start", input.request);
    throw new DomainError(
      "UNAUTHENTICATED",
      "This has expired or was already used. Call the service desk if you still need a new passkey.",
    );
  }
  if ("refused" in grant) {
    await auditRefusedGrant(grant, "start", input.request);
    throw new DomainError(grant.refused.code, grant.refused.message);
  }
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: grant.userId },
    select: {
      name: true,
      webauthnUserId: true,
      emails: { where: { isPrimary: true }, select: { address: true } },
      passkeys: { where: { status: "ACTIVE" }, select: { credentialId: true, transports: true } },
    },
  });
  const options = await generateRegistrationOptions({
    rpName: RELYING_PARTY.name,
    rpID: RELYING_PARTY.id,
    userID: new Uint8Array(user.webauthnUserId),
    userName: user.emails[0]?.address ?? user.name,
    userDisplayName: user.name,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: user.passkeys.map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await db.webAuthnChallenge.create({
    data: {
      challenge: options.challenge,
      purpose: "register",
      userId: grant.userId,
      sessionId: grant.challengeScope.sessionId ?? null,
      enrolmentLinkId: grant.challengeScope.enrolmentLinkId ?? null,
      expiresAt: new Date(Date.now() + CEREMONY_TIMEOUT_MS),
    },
  });
  return options;
}

type AuthenticatorTransport =
  "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";
