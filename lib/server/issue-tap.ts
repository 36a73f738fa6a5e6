import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { chooseTapAddress, maskAddress, tapIssued, tapIssuedNotice } from "@/lib/domain/notifications";
import { decideTapIssuance, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit, staffActor } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { enqueueMessage } from "./enqueue-message";
import { refuseCaseAction } from "./refuse-case-action";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { hashToken, newTapCode } from "./secrets";

/**
 * Issues a temporary access pass when the server judges the checklist complete. The value is
 * random (80 bits), stored only as a hash, sealed into the outbox for the user's verified
 * address, and never returned, shown or audited. Any earlier pass of the user is voided. The
 * user row is locked, so issuance is serialized with revocation and other issuances.
 */
export async function issueTap(input: {
  actor: CurrentStaff;
  caseId: string;
  lifetimeMinutes: number;
  multiUse: boolean;
  request?: RequestContext;
}): Promise<{ expiresAt: Date; sentTo: string }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; expiresAt: Date; sentTo: string }> => {
    const owner = await tx.recoveryCase.findUnique({ where: { id: input.caseId }, select: { userId: true } });
    if (!owner) return { ok: false, code: "NOT_FOUND", message: "That case does not exist." };
    await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${owner.userId}::uuid FOR UPDATE`;
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: "issue temporary access pass", refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot issue passes." });
    const emails = await tx.workforceEmail.findMany({ where: { userId: kase.userId }, select: { address: true, kind: true, verified: true, isPrimary: true } });
    const sendTo = chooseTapAddress(emails);
    const decision = decideTapIssuance({
      policy: ACTIVE_POLICY,
      facts,
      request: { lifetimeMinutes: input.lifetimeMinutes, multiUse: input.multiUse },
      hasVerifiedAddress: sendTo !== null,
    });
    if (!decision.ok) return refuse(decision);
    const now = new Date();
    const replaced = await tx.temporaryAccessPass.updateMany({
      where: { userId: kase.userId, usedAt: null, voidedAt: null },
      data: { voidedAt: now, voidReason: "replaced by a new pass" },
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
      },
      request: input.request,
    });
    const name = kase.user.name;
    await enqueueMessage(tx, {
      to: sendTo!,
      message: tapIssued({ name, code, expiresAt, oneTime: decision.oneTime, redeemUrl: `${publicUrl}/redeem`, reportUrl: await newRepudiationUrl(tx, { caseId: kase.id, userId: kase.userId }) }),
      subjectUserId: kase.userId,
      caseId: kase.id,
    });
    for (const email of emails.filter((e) => e.verified && e.address !== sendTo)) {
      const reportUrl = await newRepudiationUrl(tx, { caseId: kase.id, userId: kase.userId });
      await enqueueMessage(tx, { to: email.address, message: tapIssuedNotice({ name, sentTo: sendTo!, reportUrl }), subjectUserId: kase.userId, caseId: kase.id });
    }
    return { ok: true, expiresAt, sentTo: maskAddress(sendTo!) };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { expiresAt: result.expiresAt, sentTo: result.sentTo };
}
