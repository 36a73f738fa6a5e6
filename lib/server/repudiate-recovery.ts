import "server-only";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import { securityAlert } from "@/lib/domain/notifications";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

const INVALID = "This link is not valid any more. If you still think someone is trying to get into your account, call the service desk.";

/** What the "this wasn't me" page shows before the user acts (reading never uses the link). */
export async function getRepudiation(token: string) {
  const link = await db.repudiationLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { usedAt: true, expiresAt: true, case: { select: { reason: true, createdAt: true, user: { select: { name: true } } } } },
  });
  if (!link || link.usedAt || link.expiresAt <= new Date()) return null;
  return { name: link.case.user.name, reason: link.case.reason, openedAt: link.case.createdAt };
}

/**
 * "This wasn't me": undoes what the recovery created, at once and without waiting for anyone.
 * Under the user's row lock: every usable pass is voided, passkeys registered since the case
 * opened are revoked (suspected compromise), the user's account sessions end, the case's
 * links are voided and the case is revoked; security is alerted. Audited, link used once.
 */
export async function repudiateRecovery(input: { token: string; request?: RequestContext }): Promise<void> {
  const ok = await db.$transaction(async (tx) => {
    const tokenHash = hashToken(input.token);
    await tx.$queryRaw`SELECT id FROM "RepudiationLink" WHERE "tokenHash" = ${tokenHash} FOR UPDATE`;
    const link = await tx.repudiationLink.findUnique({
      where: { tokenHash },
      select: { id: true, usedAt: true, expiresAt: true, userId: true, case: { select: { id: true, createdAt: true, status: true } } },
    });
    if (!link || link.usedAt || link.expiresAt <= new Date()) {
      await recordAudit(tx, {
        action: "case.repudiation_refused",
        outcome: "REFUSED",
        reason: "SEQUENCE",
        actor: { type: "ANONYMOUS" },
        data: { detail: "link unknown, used or expired" },
        request: input.request,
      });
      return false;
    }
    await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${link.userId}::uuid FOR UPDATE`;
    const user = await tx.workforceUser.findUniqueOrThrow({ where: { id: link.userId }, select: { id: true, name: true, employeeId: true } });
    const now = new Date();
    const passes = await tx.temporaryAccessPass.updateMany({ where: { userId: user.id, usedAt: null, voidedAt: null }, data: { voidedAt: now, voidReason: "reported by the user as not them" } });
    const passkeys = await tx.passkey.updateMany({
      where: { userId: user.id, status: "ACTIVE", createdAt: { gte: link.case.createdAt } },
      data: { status: "REVOKED", revokedAt: now, revokedReason: "SUSPECTED_COMPROMISE" },
    });
    const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
    await tx.stepLink.updateMany({ where: { caseId: link.case.id, usedAt: null, voidedAt: null }, data: { voidedAt: now } });
    const move = nextStatus(link.case.status, "REVOKE");
    if (move.ok) await tx.recoveryCase.update({ where: { id: link.case.id }, data: { status: move.status, closeReason: "reported by the user as not them" } });
    await tx.repudiationLink.update({ where: { id: link.id }, data: { usedAt: now } });
    await recordAudit(tx, {
      action: "case.repudiated",
      outcome: "ALLOWED",
      actor: { type: "WORKFORCE_USER", id: user.id, name: user.name },
      caseId: link.case.id,
      subjectUserId: user.id,
      target: { type: "case", id: link.case.id },
      data: { voidedPasses: passes.count, revokedPasskeys: passkeys.count, endedSessions: sessions.count, caseStatus: move.ok ? move.status : link.case.status },
      request: input.request,
    });
    const security = await tx.staff.findMany({ where: { role: "SECURITY", active: true }, select: { email: true } });
    const alert = securityAlert({
      summary: `${user.name} says a recovery was not them`,
      detail: `${user.name} (${user.employeeId}) reported recovery case ${link.case.id} as not them. ${passes.count} pass(es) voided, ${passkeys.count} new passkey(s) revoked, ${sessions.count} session(s) ended. Review the case and the agent's verification.`,
    });
    for (const { email } of security) await enqueueMessage(tx, { to: email, message: alert, subjectUserId: user.id, caseId: link.case.id });
    return true;
  });
  if (!ok) throw new DomainError("SEQUENCE", INVALID);
}
