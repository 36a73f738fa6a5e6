import "server-only";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import type { CaseReason } from "@/lib/domain/recovery-policy";
import { securityAlert } from "@/lib/domain/notifications";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit, auditedTransaction } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { sessionsEndedByVoiding, voidRecovery } from "./cases/void-recovery";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";
import { spendLinkTry } from "./rate-limit";
import { countRefusal } from "./refusal-tally";
import { repudiatePasskey } from "./repudiate-passkey";
import { repudiateAccountChange } from "./repudiate-account-change";
import { isAccountChange, type AccountChange } from "@/lib/domain/account-changes";
import { INVALID_REPORT_LINK } from "./repudiation-link";

/** What a "this wasn't me" link is about: a recovery case, or a passkey added while signed in. */
export type Repudiation =
  | { kind: "case"; name: string; reason: CaseReason; openedAt: Date }
  | { kind: "passkey"; name: string; model: string; backedUp: boolean; addedAt: Date }
  /** A change made on /account (docs/decisions/036). */
  | { kind: "change"; name: string; change: AccountChange; model: string | null; at: Date };

/** What the "this wasn't me" page shows before the user acts (reading never uses the link). */
export async function getRepudiation(token: string): Promise<Repudiation | null> {
  const link = await db.repudiationLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      usedAt: true,
      expiresAt: true,
      change: true,
      createdAt: true,
      userId: true,
      case: { select: { reason: true, createdAt: true, user: { select: { name: true } } } },
      passkey: {
        select: {
          modelName: true,
          backedUp: true,
          createdAt: true,
          user: { select: { name: true } },
        },
      },
    },
  });
  if (!link || link.usedAt || link.expiresAt <= new Date()) return null;
  if (isAccountChange(link.change))
    return {
      kind: "change",
      name: (
        await db.workforceUser.findUniqueOrThrow({
          where: { id: link.userId },
          select: { name: true },
        })
      ).name,
      change: link.change,
      model: link.passkey ? (link.passkey.modelName ?? "Unknown authenticator") : null,
      at: link.createdAt,
    };
  if (link.case)
    return {
      kind: "case",
      name: link.case.user.name,
      reason: link.case.reason,
      openedAt: link.case.createdAt,
    };
  if (link.passkey)
    return {
      kind: "passkey",
      name: link.passkey.user.name,
      model: link.passkey.modelName ?? "Unknown authenticator",
      backedUp: link.passkey.backedUp,
      addedAt: link.passkey.createdAt,
    };
  return null;
}

/**
 * "This wasn't me": undoes what the recovery created, at once and without waiting for anyone.
 * Under the unit of work's locks (user → case → link): everything recovery issued the user on
 * any case is voided (passes and their sessions, enrolment and step links, pending approvals,
 * ceremonies), passkeys registered since the case opened are revoked (suspected compromise),
 * the user's account sessions end and the case is revoked; security is alerted with a link to
 * the case. Audited, link used once. A link about a passkey added while signed in (no case) goes
 * to repudiatePasskey.
 */
export async function repudiateRecovery(input: {
  token: string;
  request?: RequestContext;
}): Promise<"case" | "passkey" | "change"> {
  await spendLinkTry("case.repudiation_refused", input.request);
  const tokenHash = hashToken(input.token);
  const found = await db.repudiationLink.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      caseId: true,
      passkeyId: true,
      userId: true,
      usedAt: true,
      expiresAt: true,
      change: true,
    },
  });
  if (!found) {
    // Names nothing we hold: counted, not audited (decision 002).
    await countRefusal("case.repudiation_refused", "UNKNOWN_LINK");
    throw new DomainError("SEQUENCE", INVALID_REPORT_LINK);
  }
  if (found.usedAt || found.expiresAt <= new Date()) {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "case.repudiation_refused",
        outcome: "REFUSED",
        reason: "SEQUENCE",
        actor: { type: "ANONYMOUS" },
        caseId: found.caseId ?? undefined,
        subjectUserId: found.userId,
        data: { detail: found.usedAt ? "link used" : "link expired" },
        request: input.request,
      }),
    );
    throw new DomainError("SEQUENCE", INVALID_REPORT_LINK);
  }
  if (isAccountChange(found.change)) {
    await repudiateAccountChange({ link: found, request: input.request });
    return "change";
  }
  if (!found.caseId) {
    await repudiatePasskey({ link: found, request: input.request });
    return "passkey";
  }
  const caseId = found.caseId;
  const owner = await db.recoveryCase.findUniqueOrThrow({
    where: { id: caseId },
    select: { user: { select: { id: true, name: true } } },
  });
  await runCaseWork(
    {
      caseId,
      actor: {
        kind: "public",
        audit: { type: "WORKFORCE_USER", id: owner.user.id, name: owner.user.name },
      },
      attempted: "this wasn't me",
      rows: [{ table: "RepudiationLink", id: found.id }],
      refusalAction: "case.repudiation_refused",
      request: input.request,
    },
    async ({ tx, kase, now, actor, refuse }) => {
      const link = await tx.repudiationLink.findUniqueOrThrow({
        where: { id: found.id },
        select: { id: true, usedAt: true, expiresAt: true },
      });
      if (link.usedAt || link.expiresAt <= now)
        return {
          ...(await refuse({
            ok: false,
            code: "SEQUENCE",
            message: "link used or expired while waiting",
          })),
          message: INVALID_REPORT_LINK,
        };
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: kase.userId },
        select: { id: true, name: true, employeeId: true },
      });
      // Everything recovery issued to this person, on any case, is voided: the report says someone else is at work.
      const voided = await voidRecovery(
        tx,
        { userId: user.id },
        // A recovery with a code the person did not make: the rest of the set is suspect too.
        { reason: "reported by the user as not them", now, codes: true },
      );
      const passkeys = await tx.passkey.updateMany({
        where: { userId: user.id, status: "ACTIVE", createdAt: { gte: kase.createdAt } },
        data: { status: "REVOKED", revokedAt: now, revokedReason: "SUSPECTED_COMPROMISE" },
      });
      const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
      const move = nextStatus(kase.status, "REVOKE");
      if (move.ok)
        await tx.recoveryCase.update({
          where: { id: kase.id },
          data: { status: move.status, closeReason: "reported by the user as not them" },
        });
      await tx.repudiationLink.update({ where: { id: link.id }, data: { usedAt: now } });
      // Someone else is at work: no recovery for this person until a supervisor has reviewed it.
      await tx.recoveryHold.create({
        data: { userId: user.id, caseId: kase.id, reason: "Reported by the person as not them" },
      });
      await recordAudit(tx, {
        action: "case.repudiated",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: user.id,
        target: { type: "case", id: kase.id },
        data: {
          voidedPasses: voided.passes,
          revokedPasskeys: passkeys.count,
          endedSessions: sessions.count + sessionsEndedByVoiding(voided),
          caseStatus: move.ok ? move.status : kase.status,
          voided,
        },
        request: input.request,
      });
      const security = await tx.staff.findMany({
        where: { role: "SECURITY", active: true },
        select: { email: true },
      });
      const alert = securityAlert({
        summary: `${user.name} says a recovery was not them`,
        detail: `${user.name} (${user.employeeId}) reported a recovery of theirs as not them. ${voided.passes} pass(es) and ${voided.enrolmentLinks} enrolment link(s) voided, ${passkeys.count} new passkey(s) revoked, ${sessions.count} session(s) ended; their recovery is on hold.`,
        baseUrl: publicUrl,
        caseId: kase.id,
        userId: user.id,
      });
      for (const { email } of security)
        await enqueueMessage(tx, {
          to: email,
          message: alert,
          subjectUserId: user.id,
          caseId: kase.id,
        });
      return { ok: true, value: undefined };
    },
  );
  return "case";
}
