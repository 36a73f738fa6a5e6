/**
 * The desk's readiness from practice (docs/decisions/032): pure aggregations over finished runs,
 * for the team page and the reports. No I/O.
 */
import { RED_FLAG_KINDS, type RedFlagKind } from "../recovery-policy";

export type OutcomeRun = {
  staffId: string;
  team: string | null;
  finishedAt: Date | null;
  safe: boolean | null;
  passed: boolean | null;
  caughtFlags: readonly string[];
  missedFlags: readonly string[];
};

export type FlagStat = { flag: RedFlagKind; caught: number; missed: number; missRate: number };

const isFlag = (value: string): value is RedFlagKind =>
  (RED_FLAG_KINDS as readonly string[]).includes(value);

/**
 * Per red flag kind: how often a planted flag was caught or missed in finished runs, and the
 * share missed; most missed first (by count, then rate). Kinds never planted are left out.
 */
export function flagStats(runs: readonly OutcomeRun[]): FlagStat[] {
  const caught = new Map<RedFlagKind, number>();
  const missed = new Map<RedFlagKind, number>();
  for (const run of runs) {
    if (!run.finishedAt) continue;
    for (const flag of run.caughtFlags)
      if (isFlag(flag)) caught.set(flag, (caught.get(flag) ?? 0) + 1);
    for (const flag of run.missedFlags)
      if (isFlag(flag)) missed.set(flag, (missed.get(flag) ?? 0) + 1);
  }
  return RED_FLAG_KINDS.map((flag) => {
    const c = caught.get(flag) ?? 0;
    const m = missed.get(flag) ?? 0;
    return { flag, caught: c, missed: m, missRate: c + m === 0 ? 0 : m / (c + m) };
  })
    .filter((stat) => stat.caught + stat.missed > 0)
    .sort((a, b) => b.missed - a.missed || b.missRate - a.missRate || a.flag.localeCompare(b.flag));
}

export type PracticeSummary = {
  runs: number;
  finished: number;
  safe: number;
  passed: number;
  /** Shares of finished runs; null with none finished. */
  safeRate: number | null;
  passRate: number | null;
  lastPractice: Date | null;
};

/** Runs, finished, safe and passed, with rates over the finished ones, and the last finish. */
export function practiceSummary(
  runs: readonly (OutcomeRun & { startedAt?: Date })[],
): PracticeSummary {
  const finished = runs.filter((run) => run.finishedAt);
  const safe = finished.filter((run) => run.safe === true).length;
  const passed = finished.filter((run) => run.passed === true).length;
  let last: Date | null = null;
  for (const run of finished) if (!last || run.finishedAt! > last) last = run.finishedAt;
  return {
    runs: runs.length,
    finished: finished.length,
    safe,
    passed,
    safeRate: finished.length ? safe / finished.length : null,
    passRate: finished.length ? passed / finished.length : null,
    lastPractice: last,
  };
}

/** Groups runs by a key (staff member, team): a Map in first-seen order. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** "83 %" or "—". */
export function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)} %`;
}
