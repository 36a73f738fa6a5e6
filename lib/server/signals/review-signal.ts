import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/roles";
import type { SignalEffect } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";
import { auditedTransaction, recordAudit, staffActor } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";

/**
 * A security reviewer's review of an open fraud signal (docs/decisions/031): confirmed, its effect
 * stays on the cases it names; dismissed, its effect lifts (the cases' facts ignore dismissed
 * signals; what was voided stays voided, and a supervisor's approval the case still asks for is
 * judged without it). Once, with a guarded UPDATE: a second reviewer at the same moment is told it
 * was reviewed. Refusals are audited.
 */
export async function reviewSignal(input: {
  actor: CurrentStaff;
  signalId: string;
  decision: "confirmed" | "dismissed";
  note: string;
  request?: RequestContext;
  now?: Date;
}): Promise<void> {
  const actor = staffActor(input.actor);
  const refusal = await auditedTransaction(db, async (tx) => {
    const refuse = async (code: "FORBIDDEN" | "NOT_FOUND" | "SEQUENCE", message: string) => {
      await recordAudit(tx, {
        action: "signal.review_refused",
        outcome: "REFUSED",
        reason: code,
        actor,
        target: { type: "signal", id: input.signalId },
        data: { detail: message },
        request: input.request,
      });
      return { code, message };
    };
    if (!can(input.actor.role, "signals:review"))
      return refuse("FORBIDDEN", "Only security reviewers review fraud signals.");
    const now = input.now ?? new Date();
    const updated = await tx.fraudSignal.updateMany({
      where: { id: input.signalId, status: "OPEN" },
      data: {
        status: input.decision === "confirmed" ? "REVIEWED" : "DISMISSED",
        reviewedById: input.actor.id,
        reviewedAt: now,
        reviewNote: input.note,
      },
    });
    const signal = await tx.fraudSignal.findUnique({
      where: { id: input.signalId },
      select: { effect: true, _count: { select: { cases: true } } },
    });
    if (!signal) return refuse("NOT_FOUND", "That signal does not exist.");
    if (updated.count !== 1) return refuse("SEQUENCE", "This signal was already reviewed.");
    await recordAudit(tx, {
      action: "signal.reviewed",
      outcome: "ALLOWED",
      actor,
      target: { type: "signal", id: input.signalId },
      data: {
        decision: input.decision,
        note: input.note,
        effect: signal.effect as SignalEffect,
        cases: signal._count.cases,
      },
      request: input.request,
    });
    return null;
  });
  if (refusal) throw new DomainError(refusal.code, refusal.message);
}
