import "server-only";
import {
  chooseTapAddress,
  maskAddress,
  tapIssued,
  tapIssuedNotice,
} from "@/lib/domain/notifications";
import { decideTapIssuance } from "@/lib/domain/recovery-decisions";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { applySignalEffectsAfterCommit } from "./signals/apply-signal-effects";
import { evaluateSignals } from "./signals/evaluate-signals";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { hashToken, newTapCode } from "./secrets";

/**
 * Issues a temporary access pass when the server judges the checklist complete, the case not
 * stopped, and the policy needs no second person (a high-risk or privileged user, a red flag or a
 * repeat call goes through a supervisor's approval of a re-enrolment instead). The value is
 * random (80 bits), stored only as a hash, sealed into the outbox for the user's verified
 * address, and never returned, shown or audited. Any earlier pass of the user is voided, and the
 * session it may have opened ended. Under the unit of work's locks (user → case).
 */
export async function issueTap(input: {
  actor: CurrentStaff;
  caseId: string;
  lifetimeMinutes: number;
  multiUse: boolean;
  request?: RequestContext;
}): Promise<{ expiresAt: Date; sentTo: string }> {
  let otherCases: string[] = [];
  const issued = await runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "issue temporary access pass",
      request: input.request,
    },
    async ({ tx, kase, facts, policy, now, actor, refuse }) => {
      const emails = await tx.workforceEmail.findMany({
        where: { userId: kase.userId },
        select: { address: true, kind: true, verified: true, isPrimary: true },
      });
      const sendTo = chooseTapAddress(emails);
      const decision = decideTapIssuance({
        policy,
        facts,
        request: { lifetimeMinutes: input.lifetimeMinutes, multiUse: input.multiUse },
        hasVerifiedAddress: sendTo !== null,
      });
      if (!decision.ok) return refuse(decision);
      const replaced = await tx.temporaryAccessPass.updateMany({
        where: { userId: kase.userId, usedAt: null, voidedAt: null },
        data: { voidedAt: now, voidReason: "replaced by a new pass" },
      });
      const earlier = await tx.temporaryAccessPass.findMany({
        where: { userId: kase.userId },
        select: { id: true },
      });
      // A redeemed earlier pass's session ends too: only the newest pass opens a way in.
      const ended = await tx.workforceSession.deleteMany({
        where: { method: "tap", tapId: { in: earlier.map((pass) => pass.id) } },
      });
      const code = newTapCode();
      const expiresAt = new Date(now.getTime() + decision.lifetimeMinutes * 60_000);
      await tx.temporaryAccessPass.create({
        data: {
          userId: kase.userId,
          caseId: kase.id,
          codeHash: hashToken(code),
          oneTime: decision.oneTime,
          maxFailures: decision.maxFailedAttempts,
          expiresAt,
          issuedById: input.actor.id,
        },
      });
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: decision.status } });
      await recordAudit(tx, {
        action: "tap.issued",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: {
          lifetimeMinutes: decision.lifetimeMinutes,
          oneTime: decision.oneTime,
          maxFailedAttempts: decision.maxFailedAttempts,
          sentTo: maskAddress(sendTo!),
          replaced: replaced.count,
          endedSessions: ended.count,
        },
        request: input.request,
      });
      const name = kase.user.name;
      await enqueueMessage(tx, {
        to: sendTo!,
        message: tapIssued({
          name,
          code,
          expiresAt,
          oneTime: decision.oneTime,
          redeemUrl: `${publicUrl}/redeem`,
          reportUrl: await newRepudiationUrl(tx, { caseId: kase.id, userId: kase.userId }),
        }),
        subjectUserId: kase.userId,
        caseId: kase.id,
      });
      for (const email of emails.filter((e) => e.verified && e.address !== sendTo)) {
        const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: kase.userId });
        await enqueueMessage(tx, {
          to: email.address,
          message: tapIssuedNotice({ name, sentTo: sendTo!, reportUrl }),
          subjectUserId: kase.userId,
          caseId: kase.id,
        });
      }
      // An agent issuing far more passes than their peers (docs/decisions/031).
      ({ otherCases } = await evaluateSignals(tx, {
        caseId: kase.id,
        trigger: { kind: "pass", agentId: input.actor.id },
        now,
        actor,
        request: input.request,
      }));
      return { ok: true, value: { expiresAt, sentTo: maskAddress(sendTo!) } };
    },
  );
  await applySignalEffectsAfterCommit(otherCases);
  return issued;
}
