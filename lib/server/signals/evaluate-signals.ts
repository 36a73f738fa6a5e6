import "server-only";
/**
 * Fraud signals across calls, evaluated inside the transaction of the decision that can reveal
 * them (docs/decisions/031): opening a case, recording a number or address heard on the call, a
 * failed check or a "details don't match" flag, a pass issued. The caller holds the unit of work's
 * locks (user → case); this takes, after them, one advisory lock per key the decision could find
 * (sorted, so evaluations never wait on each other in a circle), then reads the history, asks the
 * pure rules (lib/domain/fraud-signals.ts) and merges the findings into one open signal:
 *
 * - the signal is raised or joined, with its evidence, rules, keys and strongest effect;
 * - each case it names gets a FraudSignalCase row with its effect (the case's facts read these,
 *   so an escalation or a stop holds on every path from this commit);
 * - the person's own cases (their user row is locked here) have the effect applied now: what
 *   they had issued is voided, and the case marked as needing a supervisor; other people's cases
 *   are left for `applySignalEffects` after commit (and the periodic sweep);
 * - security reviewers are mailed when the signal is raised or its effect rises; the trail has
 *   counts, never numbers.
 */
import { type Prisma } from "@/generated/prisma/client";
import {
  evidenceCaseIds,
  failedAfterMismatchFindings,
  lockOrder,
  mergeFindings,
  passOutlierFindings,
  privilegedBurstFindings,
  recentRecordChangeFindings,
  sharedContactFindings,
  SIGNAL_MERGE_HOURS,
  SIGNAL_RULE_LABELS,
  unusualHourFindings,
  type EvidenceEntry,
  type Finding,
  type RecordField,
  type SignalRule,
} from "@/lib/domain/fraud-signals";
import { fraudSignalAlert } from "@/lib/domain/notifications";
import { deskRules, type RedFlagKind, type SignalEffect } from "@/lib/domain/recovery-policy";
import { publicUrl } from "@/lib/env";
import { recordAudit, type AuditActor, type Tx } from "../audit";
import { stopRecovery } from "../cases/void-recovery";
import { enqueueMessage } from "../enqueue-message";
import type { RequestContext } from "../request-context";

/** The first half of every signal's advisory lock: `pg_advisory_xact_lock(SIGNAL_LOCKS, key)`. */
export const SIGNAL_LOCKS = 31_031;

export type SignalTrigger =
  /** A case opened: its contacts, a privileged burst, a recent record change, an unusual hour. */
  | { kind: "opened" }
  /** A number or address heard on the call was recorded. */
  | { kind: "contact" }
  /** A check failed, or a "details don't match" flag was raised. */
  | { kind: "check" }
  /** A pass was issued, by this agent. */
  | { kind: "pass"; agentId: string };

export type SignalOutcome = {
  signalId: string | null;
  /** Cases of other people whose escalation or stop is applied after commit. */
  otherCases: string[];
};

const NONE: SignalOutcome = { signalId: null, otherCases: [] };
const DAY = 24 * 60 * 60 * 1000;
const ACTING = ["escalate", "stop"] as const;

export async function evaluateSignals(
  tx: Tx,
  input: {
    caseId: string;
    trigger: SignalTrigger;
    now: Date;
    actor: AuditActor;
    request?: RequestContext;
  },
): Promise<SignalOutcome> {
  const rules = deskRules().signals;
  const { now, trigger } = input;
  const kase = await tx.recoveryCase.findUniqueOrThrow({
    where: { id: input.caseId },
    select: {
      id: true,
      userId: true,
      team: true,
      riskTier: true,
      contacts: { select: { normalized: true } },
      redFlags: { select: { kind: true } },
      checklist: { select: { steps: { select: { kind: true, outcome: true } } } },
    },
  });
  const contacts = [...new Set(kase.contacts.map((c) => c.normalized))];
  const desk = kase.team ?? "no team";
  const burstTiers: readonly string[] = rules.privilegedBurst.tiers;

  // The keys this decision could find, locked before anything is read.
  const keys: string[] = [];
  if (trigger.kind === "opened" || trigger.kind === "contact")
    keys.push(...contacts.map((c) => `contact:${c}`));
  if (trigger.kind === "opened") {
    if (burstTiers.includes(kase.riskTier)) keys.push("burst");
    keys.push(`record:${kase.userId}`, `hours:${desk}`);
  }
  if (trigger.kind === "check") keys.push(`case:${kase.id}`);
  if (trigger.kind === "pass") keys.push(`agent:${trigger.agentId}`);
  if (keys.length === 0) return NONE;
  for (const key of lockOrder(keys))
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNAL_LOCKS}::int, ${key}::int)`;

  const findings: Finding[] = [];
  if ((trigger.kind === "opened" || trigger.kind === "contact") && contacts.length > 0) {
    const sightings = await tx.caseContact.findMany({
      where: {
        normalized: { in: contacts },
        createdAt: { gt: new Date(now.getTime() - rules.sharedContact.windowDays * DAY) },
      },
      select: {
        normalized: true,
        caseId: true,
        createdAt: true,
        case: { select: { userId: true } },
      },
    });
    findings.push(
      ...sharedContactFindings(rules, {
        now,
        contacts,
        sightings: sightings.map((s) => ({
          normalized: s.normalized,
          caseId: s.caseId,
          userId: s.case.userId,
          // The current call's own contacts count as heard now, whatever the clock of the row.
          at: s.caseId === kase.id ? now : s.createdAt,
        })),
      }),
    );
  }
  if (trigger.kind === "opened") {
    if (burstTiers.includes(kase.riskTier)) {
      const calls = await tx.recoveryCase.findMany({
        where: {
          riskTier: { in: rules.privilegedBurst.tiers },
          createdAt: { gt: new Date(now.getTime() - rules.privilegedBurst.windowMinutes * 60_000) },
          id: { not: kase.id },
        },
        select: { id: true, userId: true, riskTier: true, team: true, createdAt: true },
      });
      findings.push(
        ...privilegedBurstFindings(rules, {
          now,
          current: {
            caseId: kase.id,
            userId: kase.userId,
            riskTier: kase.riskTier,
            team: kase.team,
            at: now,
          },
          calls: calls.map((c) => ({
            caseId: c.id,
            userId: c.userId,
            riskTier: c.riskTier,
            team: c.team,
            at: c.createdAt,
          })),
        }),
      );
    }
    const changes = await tx.workforceRecordChange.findMany({
      where: {
        userId: kase.userId,
        changedAt: { gt: new Date(now.getTime() - rules.recentRecordChange.withinDays * DAY) },
      },
      select: { field: true, changedAt: true },
    });
    findings.push(
      ...recentRecordChangeFindings(rules, {
        now,
        caseId: kase.id,
        userId: kase.userId,
        changes: changes.map((c) => ({ field: c.field as RecordField, changedAt: c.changedAt })),
      }),
    );
    const deskCalls = {
      team: kase.team,
      id: { not: kase.id },
      createdAt: {
        gt: new Date(now.getTime() - rules.unusualHour.historyDays * DAY),
        lt: now,
      },
    } satisfies Prisma.RecoveryCaseWhereInput;
    // The desk's own pattern is read only when there is enough of it.
    const enough =
      (await tx.recoveryCase.count({ where: deskCalls })) >= rules.unusualHour.minHistory;
    const history = enough
      ? (await tx.recoveryCase.findMany({ where: deskCalls, select: { createdAt: true } })).map(
          (c) => c.createdAt,
        )
      : [];
    findings.push(
      ...unusualHourFindings(rules, { now, caseId: kase.id, team: kase.team, history }),
    );
  }
  if (trigger.kind === "check")
    findings.push(
      ...failedAfterMismatchFindings(rules, {
        caseId: kase.id,
        redFlags: kase.redFlags.map((f) => f.kind as RedFlagKind),
        steps: kase.checklist?.steps ?? [],
      }),
    );
  if (trigger.kind === "pass") {
    const passes = await tx.temporaryAccessPass.findMany({
      where: { createdAt: { gt: new Date(now.getTime() - rules.passOutlier.windowDays * DAY) } },
      select: { issuedById: true, caseId: true, createdAt: true },
    });
    findings.push(
      ...passOutlierFindings(rules, {
        now,
        agentId: trigger.agentId,
        passes: passes.map((p) => ({
          agentId: p.issuedById,
          caseId: p.caseId,
          // This transaction's pass was issued now.
          at: p.createdAt > now ? now : p.createdAt,
        })),
      }),
    );
  }
  if (findings.length === 0) return NONE;
  return recordFindings(tx, { ...input, userId: kase.userId, findings });
}

/** Joins the findings to an open signal that shares a key or a case, or raises a new one. */
async function recordFindings(
  tx: Tx,
  input: {
    caseId: string;
    userId: string;
    findings: Finding[];
    now: Date;
    actor: AuditActor;
    request?: RequestContext;
  },
): Promise<SignalOutcome> {
  const { findings, now } = input;
  const keys = findings.map((f) => f.key);
  const caseIds = [...new Set(findings.flatMap((f) => f.caseIds))];
  const candidate = await tx.fraudSignal.findFirst({
    where: {
      status: "OPEN",
      OR: [
        {
          keys: { hasSome: keys },
          updatedAt: { gt: new Date(now.getTime() - SIGNAL_MERGE_HOURS * 60 * 60 * 1000) },
        },
        { cases: { some: { caseId: { in: caseIds } } } },
      ],
    },
    orderBy: { raisedAt: "asc" },
    select: { id: true },
  });
  // The UPDATE takes the signal's row lock (waiting for a concurrent writer to commit, then
  // reading its version), so the read below sees every finding joined before this one.
  const joined =
    candidate &&
    (await tx.$executeRaw`UPDATE "FraudSignal" SET "updatedAt" = ${now.toISOString()}::timestamptz WHERE id = ${candidate.id}::uuid AND status = 'OPEN'`) ===
      1
      ? await tx.fraudSignal.findUniqueOrThrow({
          where: { id: candidate.id },
          select: { id: true, rules: true, keys: true, evidence: true, effect: true },
        })
      : null;
  const existing = joined
    ? {
        rules: joined.rules,
        keys: joined.keys,
        evidence: joined.evidence as unknown as EvidenceEntry[],
        effect: joined.effect as SignalEffect,
      }
    : null;
  const merged = mergeFindings(existing, findings, now);
  const data = {
    rules: [...merged.rules],
    keys: [...merged.keys],
    evidence: merged.evidence as unknown as Prisma.InputJsonValue,
    effect: merged.effect,
    summary: merged.summary,
  };
  const signal = joined
    ? await tx.fraudSignal.update({ where: { id: joined.id }, data, select: { id: true } })
    : await tx.fraudSignal.create({ data: { ...data, raisedAt: now }, select: { id: true } });

  // Each case's row: created, or its effect raised (and to be applied again).
  const allCases = evidenceCaseIds(merged.evidence);
  const rows = await tx.fraudSignalCase.findMany({
    where: { signalId: signal.id },
    select: { caseId: true, effect: true },
  });
  const had = new Map(rows.map((row) => [row.caseId, row.effect as SignalEffect]));
  for (const [caseId, effect] of merged.caseEffects) {
    const before = had.get(caseId);
    if (before === undefined)
      await tx.fraudSignalCase.create({ data: { signalId: signal.id, caseId, effect } });
    else if (before !== effect && effectRank(effect) > effectRank(before))
      await tx.fraudSignalCase.update({
        where: { signalId_caseId: { signalId: signal.id, caseId } },
        data: { effect, appliedAt: null },
      });
  }

  const people = await tx.recoveryCase.findMany({
    where: { id: { in: allCases } },
    select: { id: true, userId: true },
  });
  const peopleCount = new Set(people.map((p) => p.userId)).size;
  const ruleList = merged.rules as SignalRule[];
  await recordAudit(tx, {
    action: existing ? "signal.updated" : "signal.raised",
    outcome: "ALLOWED",
    actor: input.actor,
    target: { type: "signal", id: signal.id },
    data: existing
      ? {
          rules: ruleList,
          effect: merged.effect,
          effectRaised: merged.effectRaised,
          cases: allCases.length,
          people: peopleCount,
        }
      : { rules: ruleList, effect: merged.effect, cases: allCases.length, people: peopleCount },
    request: input.request,
  });

  // The person's own cases (their row is locked by this unit of work): applied now.
  const pending = await tx.fraudSignalCase.findMany({
    where: { signalId: signal.id, appliedAt: null, effect: { in: [...ACTING] } },
    select: { caseId: true },
  });
  const ownerOf = new Map(people.map((p) => [p.id, p.userId]));
  const otherCases: string[] = [];
  for (const { caseId } of pending) {
    if (ownerOf.get(caseId) === input.userId)
      await applySignalToCase(tx, {
        signalId: signal.id,
        caseId,
        userId: input.userId,
        now,
        actor: input.actor,
        request: input.request,
      });
    else otherCases.push(caseId);
  }

  if (merged.effectRaised) {
    const security = await tx.staff.findMany({
      where: { role: "SECURITY", active: true },
      select: { email: true },
    });
    const message = fraudSignalAlert({
      signalId: signal.id,
      summary: merged.summary,
      rules: ruleList.map((rule) => SIGNAL_RULE_LABELS[rule]),
      effect: merged.effect,
      cases: allCases.length,
      people: peopleCount,
      raised: existing === null,
      baseUrl: publicUrl,
      firstCaseId: allCases[0] ?? input.caseId,
    });
    for (const { email } of security) await enqueueMessage(tx, { to: email, message });
  }
  return { signalId: signal.id, otherCases };
}

function effectRank(effect: SignalEffect): number {
  return { alert: 0, escalate: 1, stop: 2 }[effect];
}

/**
 * Applies a signal's escalation or stop to one case, once: claimed with a guarded UPDATE of its
 * row (appliedAt still null, the signal not dismissed), under the caller's lock of the case's
 * person. What the person's cases had issued is voided (a signal counts for all their recent or
 * open cases, like a red flag), and the case is marked for the queue's "needs a supervisor" badge.
 */
export async function applySignalToCase(
  tx: Tx,
  input: {
    signalId: string;
    caseId: string;
    userId: string;
    now: Date;
    actor: AuditActor;
    request?: RequestContext;
  },
): Promise<boolean> {
  const claimed = await tx.$queryRaw<{ effect: string }[]>`
    UPDATE "FraudSignalCase" AS fsc SET "appliedAt" = ${input.now.toISOString()}::timestamptz
    FROM "FraudSignal" AS fs
    WHERE fsc."signalId" = ${input.signalId}::uuid AND fsc."caseId" = ${input.caseId}::uuid
      AND fsc."appliedAt" IS NULL AND fsc.effect IN ('escalate', 'stop')
      AND fs.id = fsc."signalId" AND fs.status <> 'DISMISSED'
    RETURNING fsc.effect`;
  const effect = claimed[0]?.effect as "escalate" | "stop" | undefined;
  if (!effect) return false;
  const voided = await stopRecovery(
    tx,
    { userId: input.userId },
    {
      reason: `fraud signal: ${effect}`,
      now: input.now,
      userId: input.userId,
      caseId: input.caseId,
    },
  );
  await tx.recoveryCase.update({ where: { id: input.caseId }, data: { needsApproval: true } });
  await recordAudit(tx, {
    action: "signal.effect_applied",
    outcome: "ALLOWED",
    actor: input.actor,
    caseId: input.caseId,
    subjectUserId: input.userId,
    target: { type: "signal", id: input.signalId },
    data: { signalId: input.signalId, effect, voided },
    request: input.request,
  });
  return true;
}
