import "server-only";
import { SIGNAL_RULES, type EvidenceEntry, type SignalRule } from "@/lib/domain/fraud-signals";
import type { SignalEffect } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";

const asRules = (rules: string[]) =>
  rules.filter((rule): rule is SignalRule => (SIGNAL_RULES as readonly string[]).includes(rule));

/**
 * The security queue (docs/decisions/031): open signals first, newest activity first, then the
 * reviewed and dismissed ones of the last 90 days. Counts of calls and people, never numbers.
 * Readers hold signals:review (the page checks it).
 */
export async function findSignals(now = new Date()) {
  const since = new Date(now.getTime() - 90 * 24 * 60 * 60 * 1000);
  const signals = await db.fraudSignal.findMany({
    where: { OR: [{ status: "OPEN" }, { updatedAt: { gt: since } }] },
    orderBy: [{ updatedAt: "desc" }],
    take: 200,
    select: {
      id: true,
      rules: true,
      summary: true,
      effect: true,
      status: true,
      raisedAt: true,
      updatedAt: true,
      cases: { select: { caseId: true } },
    },
  });
  const caseIds = [...new Set(signals.flatMap((s) => s.cases.map((c) => c.caseId)))];
  const owners = await db.recoveryCase.findMany({
    where: { id: { in: caseIds } },
    select: { id: true, userId: true },
  });
  const ownerOf = new Map(owners.map((c) => [c.id, c.userId]));
  const rows = signals.map((s) => ({
    id: s.id,
    rules: asRules(s.rules),
    summary: s.summary,
    effect: s.effect as SignalEffect,
    status: s.status,
    raisedAt: s.raisedAt,
    updatedAt: s.updatedAt,
    calls: s.cases.length,
    people: new Set(s.cases.map((c) => ownerOf.get(c.caseId))).size,
  }));
  // Open first; within each group the latest activity first.
  return [...rows.filter((r) => r.status === "OPEN"), ...rows.filter((r) => r.status !== "OPEN")];
}

/** One signal with its evidence and the cases it names (the person, the desk, the state). */
export async function getSignal(id: string) {
  const signal = await db.fraudSignal.findUnique({
    where: { id },
    include: { cases: { orderBy: { createdAt: "asc" } } },
  });
  if (!signal) return null;
  const [cases, reviewer] = await Promise.all([
    db.recoveryCase.findMany({
      where: { id: { in: signal.cases.map((c) => c.caseId) } },
      select: {
        id: true,
        team: true,
        status: true,
        riskTier: true,
        createdAt: true,
        user: { select: { id: true, name: true } },
      },
    }),
    signal.reviewedById
      ? db.staff.findUnique({ where: { id: signal.reviewedById }, select: { name: true } })
      : null,
  ]);
  const byId = new Map(cases.map((c) => [c.id, c]));
  return {
    ...signal,
    rules: asRules(signal.rules),
    effect: signal.effect as SignalEffect,
    evidence: signal.evidence as unknown as EvidenceEntry[],
    reviewerName: reviewer?.name ?? null,
    cases: signal.cases.map((row) => ({
      ...row,
      effect: row.effect as SignalEffect,
      kase: byId.get(row.caseId) ?? null,
    })),
  };
}

/** The signals naming a case, for the desk: rules, summary and effect only, never dismissed ones. */
export async function findCaseSignals(caseId: string) {
  const rows = await db.fraudSignalCase.findMany({
    where: { caseId, signal: { status: { not: "DISMISSED" } } },
    select: {
      effect: true,
      signal: { select: { id: true, rules: true, summary: true, status: true } },
    },
  });
  return rows.map((row) => ({
    id: row.signal.id,
    rules: asRules(row.signal.rules),
    summary: row.signal.summary,
    status: row.signal.status,
    effect: row.effect as SignalEffect,
  }));
}

/** A person's changes of record in the last 30 days, newest first (the user page shows them). */
export async function findRecentRecordChanges(userId: string, now: Date) {
  return db.workforceRecordChange.findMany({
    where: { userId, changedAt: { gt: new Date(now.getTime() - 30 * 24 * 60 * 60 * 1000) } },
    orderBy: { changedAt: "desc" },
    take: 10,
    select: { id: true, field: true, source: true, changedAt: true },
  });
}

/** Signals raised in the last `days` (with a week's margin for whole weeks), for the reports. */
export async function findSignalsRaised(days: number, now: Date) {
  return db.fraudSignal.findMany({
    where: { raisedAt: { gt: new Date(now.getTime() - (days + 7) * 24 * 60 * 60 * 1000) } },
    select: { raisedAt: true, rules: true },
  });
}
