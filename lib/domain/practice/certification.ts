/**
 * Certification by practice calls (docs/decisions/032): pure rules, no I/O.
 *
 * - **Progress.** Of a staff member's finished practice runs, those that count are the ones
 *   finished after (1) their most recent unsafe impostor run (being taken in by an impostor resets
 *   the count: "every impostor handled safely"), (2) the moment their previous certification was
 *   granted (recertifying needs new practice), and (3) the start of the window of `validMonths`
 *   before now (old practice does not certify). A run counts when `passed === true` and it was
 *   the player's FIRST finished attempt at that scenario version among the runs given (the server
 *   gives those of the validity window): a debrief tells the truth and the planted red flags, so a
 *   replay after it is practice, not proof. Scenarios are counted by distinct key; impostors are
 *   the distinct keys among them played as impostors.
 * - **Earned** when the distinct scenarios reach `scenariosToPass` and the impostors among them
 *   reach `impostorsToPass`.
 * - **Status** of the newest certification at a time: none, current, expiring (within
 *   `remindDaysBefore` of its expiry) or expired.
 * - **The gate**: a staff member working a case of a tier in `requiredForTiers` needs a current
 *   (or expiring, not yet expired) certification.
 */
import type { Allowed, AvailableActions, Refusal } from "../recovery-decisions";
import type { DeskRules } from "../recovery-policy";
import type { RiskTier } from "../workforce";

export type CertificationRules = DeskRules["certification"];

/** A finished practice run, as certification reads it. */
export type CertificationRun = {
  id: string;
  scenarioKey: string;
  scenarioVersion: number;
  impostor: boolean;
  finishedAt: Date;
  safe: boolean | null;
  passed: boolean | null;
};

/** A granted certification. */
export type CertificationRecord = { certifiedAt: Date; expiresAt: Date };

const DAY = 24 * 60 * 60 * 1000;

/** `date` plus `months` calendar months (UTC), clamped to the month's last day (31 Jan + 1 = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(
    Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
  ).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

export type CertificationProgress = {
  /** Runs finished after this moment count (the latest of the three starts below). */
  countsFrom: Date;
  /** The unsafe impostor run that reset the count, if it is what `countsFrom` is. */
  resetBy: { runId: string; at: Date } | null;
  /** Distinct scenario keys passed since `countsFrom`. */
  scenarios: string[];
  /** The impostor scenarios among them. */
  impostors: string[];
  scenariosNeeded: number;
  impostorsNeeded: number;
  earned: boolean;
  /** For each scenario counted, its passed first attempt: what earns the certification. */
  runIds: string[];
};

/**
 * Progress towards (re)certification at `now`. `previous` is the staff member's newest
 * certification (any status), or null.
 */
export function certificationProgress(input: {
  runs: readonly CertificationRun[];
  rules: CertificationRules;
  now: Date;
  previous: CertificationRecord | null;
}): CertificationProgress {
  const { rules, now } = input;
  const finished = input.runs.filter((run) => run.finishedAt.getTime() <= now.getTime());
  let reset: CertificationRun | null = null;
  for (const run of finished)
    if (run.impostor && run.safe === false && (!reset || run.finishedAt > reset.finishedAt))
      reset = run;
  const starts = [addMonths(now, -rules.validMonths).getTime()];
  if (input.previous) starts.push(input.previous.certifiedAt.getTime());
  if (reset) starts.push(reset.finishedAt.getTime());
  const countsFrom = new Date(Math.max(...starts));
  // The first finished attempt at each scenario version: only it can count.
  const firstAttempt = new Map<string, CertificationRun>();
  for (const run of finished) {
    const version = `${run.scenarioKey}@${run.scenarioVersion}`;
    const seen = firstAttempt.get(version);
    if (!seen || run.finishedAt < seen.finishedAt) firstAttempt.set(version, run);
  }
  const latestByKey = new Map<string, CertificationRun>();
  const impostorKeys = new Set<string>();
  for (const run of finished) {
    if (run.passed !== true || run.finishedAt.getTime() <= countsFrom.getTime()) continue;
    if (firstAttempt.get(`${run.scenarioKey}@${run.scenarioVersion}`) !== run) continue;
    const seen = latestByKey.get(run.scenarioKey);
    if (!seen || run.finishedAt > seen.finishedAt) latestByKey.set(run.scenarioKey, run);
    if (run.impostor) impostorKeys.add(run.scenarioKey);
  }
  const scenarios = [...latestByKey.keys()].sort();
  const impostors = [...impostorKeys].sort();
  const scenariosNeeded = Math.max(0, rules.scenariosToPass - scenarios.length);
  const impostorsNeeded = Math.max(0, rules.impostorsToPass - impostors.length);
  return {
    countsFrom,
    resetBy:
      reset && reset.finishedAt.getTime() === countsFrom.getTime()
        ? { runId: reset.id, at: reset.finishedAt }
        : null,
    scenarios,
    impostors,
    scenariosNeeded,
    impostorsNeeded,
    earned: scenariosNeeded === 0 && impostorsNeeded === 0,
    runIds: scenarios.map((key) => latestByKey.get(key)!.id),
  };
}

/** What is still needed, in words ("3 more scenarios, 1 of them an impostor"). */
export function progressSummary(progress: CertificationProgress): string {
  if (progress.earned) return "All scenarios needed are passed.";
  const parts: string[] = [];
  if (progress.scenariosNeeded > 0)
    parts.push(
      `${progress.scenariosNeeded} more scenario${progress.scenariosNeeded === 1 ? "" : "s"} to pass`,
    );
  if (progress.impostorsNeeded > 0)
    parts.push(
      `${progress.impostorsNeeded} more impostor${progress.impostorsNeeded === 1 ? "" : "s"} to handle safely`,
    );
  return `${parts.join(", ")}.`;
}

export type CertificationStatus =
  | { kind: "none" }
  | { kind: "current"; certifiedAt: Date; expiresAt: Date }
  | { kind: "expiring"; certifiedAt: Date; expiresAt: Date; daysLeft: number }
  | { kind: "expired"; certifiedAt: Date; expiresAt: Date };

/** The newest certification granted by `now` (the one with the latest expiry), or null. */
export function newestCertification<T extends CertificationRecord>(
  records: readonly T[],
  now: Date,
): T | null {
  let newest: T | null = null;
  for (const record of records)
    if (record.certifiedAt <= now && (!newest || record.expiresAt > newest.expiresAt))
      newest = record;
  return newest;
}

/** A certification's status at `now`: expiring once within `remindDaysBefore` of its expiry. */
export function certificationStatus(
  record: CertificationRecord | null,
  rules: Pick<CertificationRules, "remindDaysBefore">,
  now: Date,
): CertificationStatus {
  if (!record) return { kind: "none" };
  const { certifiedAt, expiresAt } = record;
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return { kind: "expired", certifiedAt, expiresAt };
  if (left <= rules.remindDaysBefore * DAY)
    return { kind: "expiring", certifiedAt, expiresAt, daysLeft: Math.ceil(left / DAY) };
  return { kind: "current", certifiedAt, expiresAt };
}

/** Whether a status lets its holder work gated cases. */
export function isCertified(status: CertificationStatus): boolean {
  return status.kind === "current" || status.kind === "expiring";
}

/** The award rule: earned, and no certification or only one within its reminder window (or expired). */
export function shouldAward(progress: CertificationProgress, status: CertificationStatus): boolean {
  return progress.earned && status.kind !== "current";
}

/** "3 March 2026" (UTC): how dates of certification are written in messages and mail. */
export function certificationDate(date: Date): string {
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
}

const TIER_WORDS: Record<RiskTier, string> = {
  FRONTLINE: "frontline",
  STANDARD: "standard",
  CONTRACTOR: "contractor",
  HIGH_RISK: "high-risk",
  PRIVILEGED: "privileged",
};

export function needsCertification(rules: CertificationRules, tier: RiskTier): boolean {
  return rules.requiredForTiers.includes(tier);
}

/**
 * The gate: may a staff member with `status` work (advance the recovery of) a case of `tier`?
 * `who` says whose certification it is, for the message ("yours" or a colleague's name).
 */
export function certificationGate(input: {
  rules: CertificationRules;
  tier: RiskTier;
  status: CertificationStatus;
  who?: { name: string };
}): { ok: true } | Refusal {
  if (!needsCertification(input.rules, input.tier) || isCertified(input.status))
    return { ok: true };
  const tier = TIER_WORDS[input.tier] ?? input.tier.toLowerCase();
  const lead = `A ${tier} person’s recovery needs a current practice certification`;
  if (input.who) {
    const why =
      input.status.kind === "expired"
        ? `${input.who.name}’s expired on ${certificationDate(input.status.expiresAt)}`
        : `${input.who.name} has none`;
    return {
      ok: false,
      code: "NOT_CERTIFIED",
      message: `${lead}; ${why}, so they could not work this case. Hand it to a certified colleague or to the team.`,
    };
  }
  const why =
    input.status.kind === "expired"
      ? `yours expired on ${certificationDate(input.status.expiresAt)}`
      : "you have none yet";
  return {
    ok: false,
    code: "NOT_CERTIFIED",
    message: `${lead}; ${why}. Practise at /practice, or hand the case to a certified colleague.`,
  };
}

/**
 * What the case page offers a staff member the gate refuses: every action that advances the
 * recovery carries the gate's refusal instead (so the page says why and offers no form), and the
 * safe ones (a red flag, closing) stay as they were.
 */
export function withholdGatedActions(
  actions: AvailableActions,
  refusal: Refusal | null,
): AvailableActions {
  if (!refusal) return actions;
  const refuseAll = <K extends string>(entries: Record<K, Allowed>) =>
    Object.fromEntries(Object.keys(entries).map((key) => [key, refusal])) as Record<K, Allowed>;
  return {
    ...actions,
    recordStep: refuseAll(actions.recordStep),
    sendStepLink: refuseAll(actions.sendStepLink),
    issueTap: refusal,
    requestReenrolment: refusal,
  };
}
