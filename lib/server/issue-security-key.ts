import "server-only";
/**
 * Issuing a security key at the desk (issue 15, part D; docs/decisions/039). The agent plugs the
 * key into the desk computer and a real WebAuthn registration runs in the agent's browser for the
 * person's WebAuthn user handle: the credential becomes the person's passkey. Issuing enrols a
 * passkey, which is what the console gates, so it is a recovery like any other: both steps run in
 * the case unit of work (user → case) and are refused unless the case is a walk-in with the
 * person's photo ID checked in person (decideKeyIssue) AND the recovery's own gates pass
 * (decideRegistration: open, not stopped by a failed step, red flag or fraud signal, no hold, not
 * a leaver, verified, approved where the policy needs a second person). Refusals are audited. The
 * key must answer with the AAGUID on record. The person is told at every verified address, with
 * the "this wasn't me" link of the case.
 */
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { nextStatus } from "@/lib/domain/case-state";
import { passkeyEnrolledNotice } from "@/lib/domain/notifications";
import { decideRegistration, type Refusal } from "@/lib/domain/recovery-decisions";
import { decideKeyCredential, decideKeyIssue } from "@/lib/domain/security-keys";
import { quorumMissing, type ApprovalVote } from "@/lib/domain/break-glass";
import { REVOCATION_FOR } from "./finish-passkey-registration";
import { recordAudit } from "./audit";
import { runCaseWork, type CaseUnit } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { CEREMONY_TIMEOUT_MS, consumeChallenge, RELYING_PARTY } from "./relying-party";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/** The challenge of one issuance: bound to the key, the person and the agent. */
const purposeFor = (keyId: string) => `issue-key:${keyId}`;

/** The gates, under the locks: the key, the walk-in and ID check, then the recovery's own. */
async function issueGate(unit: CaseUnit, keyId: string) {
  const { tx, kase, facts, policy } = unit;
  const key = await tx.securityKey.findUnique({ where: { id: keyId } });
  if (!key)
    return {
      refusal: {
        ok: false,
        code: "NOT_FOUND",
        message: "That key is not in the inventory.",
      } satisfies Refusal,
    };
  const { channel } = await tx.recoveryCase.findUniqueOrThrow({
    where: { id: kase.id },
    select: { channel: true },
  });
  const desk = decideKeyIssue({ channel, steps: facts.steps, keyStatus: key.status });
  if (!desk.ok) return { refusal: desk };
  // For a break-glass account an approval counts only with its quorum of votes (decision 039):
  // one given by one supervisor before the account was marked does not.
  const used = await tx.approval.findMany({
    where: { caseId: kase.id, status: "USED" },
    select: { id: true },
  });
  let approved = used.length > 0;
  if (approved && facts.breakGlass) {
    const votes = await tx.approvalDecision.findMany({
      where: { approvalId: { in: used.map((a) => a.id) } },
      select: { approvalId: true, deciderId: true, role: true },
    });
    approved = used.some(
      (a) =>
        quorumMissing(votes.filter((v) => v.approvalId === a.id).map((v) => v as ApprovalVote))
          .length === 0,
    );
  }
  const gate = decideRegistration({ policy, facts, approved });
  if (!gate.ok) return { refusal: gate };
  return { key };
}

export async function startSecurityKeyIssue(input: {
  actor: CurrentStaff;
  caseId: string;
  keyId: string;
  request?: RequestContext;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "keys:issue" },
      attempted: "issue a security key",
      request: input.request,
    },
    async (unit) => {
      const checked = await issueGate(unit, input.keyId);
      if (checked.refusal) return unit.refuse(checked.refusal);
      const user = await unit.tx.workforceUser.findUniqueOrThrow({
        where: { id: unit.kase.userId },
        select: {
          name: true,
          webauthnUserId: true,
          emails: { where: { isPrimary: true }, select: { address: true } },
          passkeys: {
            where: { status: "ACTIVE" },
            select: { credentialId: true, transports: true },
          },
        },
      });
      const options = await generateRegistrationOptions({
        rpName: RELYING_PARTY.name,
        rpID: RELYING_PARTY.id,
        userID: new Uint8Array(user.webauthnUserId),
        userName: user.emails[0]?.address ?? user.name,
        userDisplayName: user.name,
        timeout: CEREMONY_TIMEOUT_MS,
        // "direct", unlike the other registrations: with "none" the browser replaces the AAGUID
        // with zeros, and the key's model is what says the desk's key answered. The attestation
        // statement is verified as the library does; no vendor roots are pinned (decision 039).
        attestationType: "direct",
        excludeCredentials: user.passkeys.map((p) => ({
          id: p.credentialId,
          transports: p.transports as AuthenticatorTransport[],
        })),
        authenticatorSelection: {
          residentKey: "required",
          userVerification: "required",
          authenticatorAttachment: "cross-platform",
        },
      });
      await unit.tx.webAuthnChallenge.create({
        data: {
          challenge: options.challenge,
          purpose: purposeFor(input.keyId),
          userId: unit.kase.userId,
          staffId: input.actor.id,
          expiresAt: new Date(unit.now.getTime() + CEREMONY_TIMEOUT_MS),
        },
      });
      return { ok: true, value: options };
    },
  );
}

export async function finishSecurityKeyIssue(input: {
  actor: CurrentStaff;
  caseId: string;
  keyId: string;
  response: RegistrationResponseJSON;
  request?: RequestContext;
}): Promise<{ passkeyId: string; serial: string }> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "keys:issue" },
      attempted: "issue a security key",
      request: input.request,
    },
    async (unit) => {
      const { tx, kase, now, actor, refuse } = unit;
      const challenge = await consumeChallenge(tx, input.response.response.clientDataJSON, {
        purpose: purposeFor(input.keyId),
        userId: kase.userId,
        staffId: input.actor.id,
      });
      if (!challenge)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "That key registration expired or was already used: start again.",
        });
      // Re-checked under the locks: anything that stopped the recovery since the start wins.
      const checked = await issueGate(unit, input.keyId);
      if (checked.refusal) return refuse(checked.refusal);
      const key = checked.key;
      let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verification = await verifyRegistrationResponse({
          response: input.response,
          expectedChallenge: challenge,
          expectedOrigin: RELYING_PARTY.origin,
          expectedRPID: RELYING_PARTY.id,
          requireUserVerification: true,
        });
      } catch {
        verification = { verified: false } as typeof verification;
      }
      if (!verification.verified)
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: "The key's answer could not be verified: try again.",
        });
      const info = verification.registrationInfo;
      const match = decideKeyCredential({ keyAaguid: key.aaguid, credentialAaguid: info.aaguid });
      if (!match.ok) return refuse(match);
      const taken = await tx.passkey.count({ where: { credentialId: info.credential.id } });
      if (taken > 0)
        return refuse({
          ok: false,
          code: "CONFLICT",
          message: "That credential is already registered.",
        });
      const created = await tx.passkey.create({
        data: {
          userId: kase.userId,
          credentialId: info.credential.id,
          publicKey: new Uint8Array(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          transports: info.credential.transports ?? ["usb"],
          aaguid: info.aaguid,
          modelName: key.modelName,
          backedUp: info.credentialBackedUp,
        },
        select: { id: true },
      });
      const moved = await tx.securityKey.updateMany({
        where: { id: key.id, status: key.status },
        data: {
          status: "ISSUED",
          userId: kase.userId,
          passkeyId: created.id,
          caseId: kase.id,
          issuedAt: now,
          returnedAt: null,
        },
      });
      if (moved.count !== 1)
        return refuse({
          ok: false,
          code: "CONFLICT",
          message: "The key changed meanwhile: look it up again.",
        });
      // An approved re-enrolment named the passkeys it replaces: a key issued on it replaces them
      // too (as its link would have), and the link is spent, so nothing it named stays usable.
      const approval = await tx.approval.findFirst({
        where: { caseId: kase.id, status: "USED" },
        orderBy: { decidedAt: "desc" },
        select: { snapshot: true },
      });
      const named = (approval?.snapshot as { revokePasskeyIds?: unknown } | undefined)
        ?.revokePasskeyIds;
      const revokedPasskeyIds = Array.isArray(named)
        ? (
            await tx.passkey.findMany({
              where: {
                id: { in: named.filter((id): id is string => typeof id === "string") },
                userId: kase.userId,
                status: "ACTIVE",
              },
              select: { id: true },
            })
          )
            .map((p) => p.id)
            .sort()
        : [];
      if (revokedPasskeyIds.length > 0)
        await tx.passkey.updateMany({
          where: { id: { in: revokedPasskeyIds }, userId: kase.userId, status: "ACTIVE" },
          data: { status: "REVOKED", revokedAt: now, revokedReason: REVOCATION_FOR[kase.reason] },
        });
      await tx.enrolmentLink.updateMany({
        where: { caseId: kase.id, usedAt: null, voidedAt: null },
        data: { voidedAt: now, voidReason: "a security key was issued on this case" },
      });
      const move = nextStatus(kase.status, "REENROL");
      if (move.ok)
        await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
      await recordAudit(tx, {
        action: "passkey.enrolled",
        outcome: "ALLOWED",
        actor,
        subjectUserId: kase.userId,
        caseId: kase.id,
        target: { type: "passkey", id: info.credential.id.slice(0, 64) },
        data: {
          model: key.modelName,
          aaguid: info.aaguid,
          backedUp: info.credentialBackedUp,
          transports: info.credential.transports ?? ["usb"],
          via: "key",
          ...(revokedPasskeyIds.length > 0
            ? { revokedPasskeys: revokedPasskeyIds.length, revokedPasskeyIds }
            : {}),
        },
        request: input.request,
      });
      await recordAudit(tx, {
        action: "securitykey.issued",
        outcome: "ALLOWED",
        actor,
        subjectUserId: kase.userId,
        caseId: kase.id,
        target: { type: "security_key", id: key.id },
        data: { keyId: key.id, serial: key.serial, passkeyId: created.id },
        request: input.request,
      });
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: kase.userId },
        select: { name: true, emails: { where: { verified: true }, select: { address: true } } },
      });
      for (const { address } of user.emails) {
        const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: kase.userId });
        await enqueueMessage(tx, {
          to: address,
          message: passkeyEnrolledNotice({
            name: user.name,
            model: `${key.modelName} security key ${key.serial}`,
            reportUrl,
          }),
          subjectUserId: kase.userId,
          caseId: kase.id,
        });
      }
      return { ok: true, value: { passkeyId: created.id, serial: key.serial } };
    },
  );
}

type AuthenticatorTransport =
  "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";
