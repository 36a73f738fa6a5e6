import "server-only";
import { verifyRegistrationResponse, type RegistrationResponseJSON } from "@simplewebauthn/server";
import { Prisma } from "@/generated/prisma/client";
import { modelNameForAaguid } from "@/lib/domain/authenticator-models";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import { passkeyAddedNotice, passkeyEnrolledNotice } from "@/lib/domain/notifications";
import type { CaseReason } from "@/lib/domain/recovery-policy";
import type { RevocationReason } from "@/lib/domain/revocation";
import { isLeaver } from "@/lib/domain/workforce";
import { decideRegistration, type CaseFacts, type Refusal } from "@/lib/domain/recovery-decisions";
import { decideCodeRecovery } from "@/lib/domain/recovery-codes";
import type { RecoveryPolicy } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";
import { recordAudit, type Tx, auditedTransaction } from "./audit";
import {
  runCaseWork,
  runUserWork,
  type LoadedCase,
  type LockedRow,
  type Outcome,
} from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import {
  auditRefusedGrant,
  auditUnusableGrant,
  resolveGrant,
  type RegistrationGrant,
} from "./registration-grant";
import { consumeChallenge, RELYING_PARTY } from "./relying-party";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";

type Loaded = { kase: LoadedCase; facts: CaseFacts; policy: RecoveryPolicy };

const FAILED = "The new passkey could not be registered. Try again from this page.";
const EXPIRED =
  "This has expired or was already used. Call the service desk if you still need a new passkey.";
const SESSION_ENDED = "Your session has ended. Sign in again with your passkey.";
/** Refusals of a passkey session whose message says what to do (decideSelfServiceEnrolment). */
const SELF_SERVICE_REFUSALS = new Set(["UNAUTHENTICATED", "ON_HOLD", "LEAVER"]);

/** The lost passkeys an enrolment link replaces are revoked for the case's reason. */
export const REVOCATION_FOR: Record<CaseReason, RevocationReason> = {
  LOST_DEVICE: "LOST",
  REPLACED_DEVICE: "LOST",
  LOCKED_OUT: "LOST",
  STOLEN_DEVICE: "STOLEN",
  SUSPECTED_COMPROMISE: "SUSPECTED_COMPROMISE",
};

/**
 * Completes a passkey registration for the holder of a grant (pass session, enrolment link, or a
 * freshly verified passkey session).
 * The challenge is consumed with one guarded UPDATE (bound to the grant, unexpired, unused), the
 * response is verified against the configured origin and RP ID with user verification required,
 * and fails closed. Then, in the unit of work (user → case → link or pass: the locks revocation and
 * every stop path take) the grant is re-checked and so is the case (open, not stopped, verified,
 * and approved by a second person where its policy says so); the passkey is written with its
 * model, AAGUID, backup state and transports, a link is used up and the passkeys it replaces are
 * revoked, a pass is used up and its sessions end (one pass, one passkey), the case moves to
 * REENROLLED, and the user is told at every address. A passkey session (no case) must still be
 * freshly verified under the lock, with no hold on the person; the addition uses the verification
 * up (one verification, one passkey) and every verified address gets a notice whose "this wasn't
 * me" link is about the new passkey (docs/decisions/016). A credential ID that exists for anyone
 * is refused.
 */
export async function finishPasskeyRegistration(input: {
  grant: RegistrationGrant;
  response: RegistrationResponseJSON;
  request?: RequestContext;
}): Promise<{ model: string }> {
  const grant = await auditedTransaction(db, (tx) => resolveGrant(tx, input.grant));
  if (!grant) {
    await auditUnusableGrant(input.grant, "finish", input.request, challengeOf(input.response));
    throw new DomainError("UNAUTHENTICATED", EXPIRED);
  }
  if ("refused" in grant) {
    await auditRefusedGrant(grant, "finish", input.request);
    throw new DomainError(grant.refused.code, grant.refused.message);
  }
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: grant.userId },
    select: { id: true, name: true },
  });
  const actor = { type: "WORKFORCE_USER" as const, id: user.id, name: user.name };
  const refuse = async (
    detail: string,
    code: "SEQUENCE" | "INVALID_INPUT" | "CONFLICT" = "INVALID_INPUT",
  ) => {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "passkey.enrol_refused",
        outcome: "REFUSED",
        reason: code,
        actor,
        subjectUserId: user.id,
        caseId: grant.caseId ?? undefined,
        data: { detail },
        request: input.request,
      }),
    );
    return new DomainError(code, code === "SEQUENCE" ? EXPIRED : FAILED);
  };

  const challenge = await consumeChallenge(
    db,
    input.response.response.clientDataJSON,
    grant.challengeScope,
  );
  if (!challenge)
    throw await refuse("challenge unknown, used, expired or for another grant", "SEQUENCE");

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: RELYING_PARTY.origin,
      expectedRPID: RELYING_PARTY.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw await refuse(`verification failed: ${String((error as Error).message).slice(0, 200)}`);
  }
  if (!verification.verified) throw await refuse("verification failed");
  const info = verification.registrationInfo;
  const model = modelNameForAaguid(info.aaguid) ?? "Unknown authenticator";

  try {
    const work = async (
      tx: Tx,
      now: Date,
      refuse: (refusal: Refusal) => Promise<Refusal>,
      loaded: Loaded | null,
    ): Promise<Outcome<null>> => {
      // Re-checked under the lock: a stop or a revoke-all that won the race voided the link or ended the session.
      const live = await resolveGrant(tx, input.grant, now);
      // A passkey session no longer fresh (another addition used the verification), or on hold.
      if (live && "refused" in live) return refuse(live.refused);
      if (!live || live.userId !== user.id)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "grant voided or expired before the registration completed",
        });
      const fresh = await tx.workforceUser.findUniqueOrThrow({
        where: { id: user.id },
        select: {
          status: true,
          leavingOn: true,
          emails: { where: { verified: true }, select: { address: true } },
        },
      });
      if (isLeaver(fresh, now))
        return refuse({ ok: false, code: "LEAVER", message: "the user has left or is suspended" });
      if (loaded) {
        const approved = live.approvalId
          ? (await tx.approval.count({
              where: { id: live.approvalId, caseId: loaded.kase.id, status: "USED" },
            })) === 1
          : false;
        const gate =
          live.via === "code"
            ? decideCodeRecovery({
                policy: loaded.policy,
                facts: loaded.facts,
                tierNow: loaded.kase.user.riskTier,
                registering: true,
              })
            : decideRegistration({ policy: loaded.policy, facts: loaded.facts, approved });
        if (!gate.ok) return refuse(gate);
      }
      const kase = loaded?.kase ?? null;
      const created = await tx.passkey.create({
        data: {
          userId: user.id,
          credentialId: info.credential.id,
          publicKey: new Uint8Array(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          transports: info.credential.transports ?? [],
          aaguid: info.aaguid,
          modelName: model,
          backedUp: info.credentialBackedUp,
        },
        select: { id: true },
      });
      let revokedPasskeys = 0;
      let revokedPasskeyIds: string[] = [];
      if (live.linkId) {
        await tx.enrolmentLink.update({ where: { id: live.linkId }, data: { usedAt: now } });
        // Which ones, for the Shared Signals events (decision 034); under the user's lock.
        revokedPasskeyIds = (
          await tx.passkey.findMany({
            where: { id: { in: live.revokePasskeyIds }, userId: user.id, status: "ACTIVE" },
            select: { id: true },
          })
        )
          .map((p) => p.id)
          .sort();
        revokedPasskeys = (
          await tx.passkey.updateMany({
            where: { id: { in: revokedPasskeyIds }, userId: user.id, status: "ACTIVE" },
            data: {
              status: "REVOKED",
              revokedAt: now,
              revokedReason: kase ? REVOCATION_FOR[kase.reason] : "LOST",
            },
          })
        ).count;
      }
      if (live.tapId) {
        // A pass yields exactly one passkey: it is used up and every session it opened ends.
        await tx.temporaryAccessPass.updateMany({
          where: { id: live.tapId, usedAt: null },
          data: { usedAt: now },
        });
        await tx.workforceSession.deleteMany({ where: { method: "tap", tapId: live.tapId } });
      }
      if (live.via === "code" && live.caseId) {
        // A recovery code yields exactly one passkey: the session it opened ends.
        await tx.workforceSession.deleteMany({ where: { method: "code", caseId: live.caseId } });
      }
      if (live.via === "passkey" && live.sessionId) {
        // One fresh verification, one passkey: the next addition needs "Confirm it's you" again.
        await tx.workforceSession.updateMany({
          where: { id: live.sessionId },
          data: { verifiedAt: null },
        });
      }
      if (kase) {
        const move = nextStatus(kase.status, "REENROL");
        if (move.ok)
          await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
      }
      await recordAudit(tx, {
        action: "passkey.enrolled",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        caseId: kase?.id,
        target: { type: "passkey", id: info.credential.id.slice(0, 64) },
        data: {
          model,
          aaguid: info.aaguid,
          backedUp: info.credentialBackedUp,
          transports: info.credential.transports ?? [],
          via: live.via,
          ...(live.linkId ? { revokedPasskeys } : {}),
          ...(revokedPasskeyIds.length > 0 ? { revokedPasskeyIds } : {}),
        },
        request: input.request,
      });
      if (kase) {
        for (const { address } of fresh.emails) {
          const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: user.id });
          await enqueueMessage(tx, {
            to: address,
            message: passkeyEnrolledNotice({ name: user.name, model, reportUrl }),
            subjectUserId: user.id,
            caseId: kase.id,
          });
        }
      } else if (live.via === "passkey") {
        // No case and no agent: the person is the only check, so every address hears of it,
        // each with its own link to undo it (NIST SP 800-63B-4 §4.1.2.1, §4.6).
        for (const { address } of fresh.emails) {
          const reportUrl = await newRepudiationUrl(tx, { passkeyId: created.id, userId: user.id });
          await enqueueMessage(tx, {
            to: address,
            message: passkeyAddedNotice({
              name: user.name,
              model,
              backedUp: info.credentialBackedUp,
              addedAt: now,
              reportUrl,
            }),
            subjectUserId: user.id,
          });
        }
      }
      return { ok: true, value: null };
    };
    const common = {
      actor: { kind: "public" as const, audit: actor },
      attempted: "register passkey",
      refusalAction: "passkey.enrol_refused" as const,
      request: input.request,
    };
    const rows: LockedRow[] = grant.linkId
      ? [{ table: "EnrolmentLink", id: grant.linkId }]
      : grant.tapId
        ? [{ table: "TemporaryAccessPass", id: grant.tapId }]
        : [];
    if (grant.caseId) {
      await runCaseWork({ ...common, caseId: grant.caseId, rows }, (unit) =>
        work(unit.tx, unit.now, unit.refuse, {
          kase: unit.kase,
          facts: unit.facts,
          policy: unit.policy,
        }),
      );
    } else {
      await runUserWork({ ...common, userId: user.id }, (unit) =>
        work(unit.tx, unit.now, (refusal) => unit.refuse(refusal), null),
      );
    }
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw await refuse("credential already registered", "CONFLICT");
    if (error instanceof DomainError) {
      // Refused under the lock (and audited there). A passkey session's own refusal says what to
      // do (confirm it's you first); otherwise the holder learns only that it expired.
      if (grant.via === "passkey" && SELF_SERVICE_REFUSALS.has(error.code)) throw error;
      throw new DomainError(
        "SEQUENCE",
        grant.via === "passkey" ? SESSION_ENDED : EXPIRED,
        error.message,
      );
    }
    throw error;
  }
  return { model };
}

/** The challenge a registration response answers (from its client data), if it parses. */
function challengeOf(response: RegistrationResponseJSON): string | undefined {
  try {
    const data: unknown = JSON.parse(
      Buffer.from(response.response.clientDataJSON, "base64url").toString("utf8"),
    );
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === "string" ? challenge : undefined;
  } catch {
    return undefined;
  }
}
