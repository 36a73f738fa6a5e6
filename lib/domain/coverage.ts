/**
 * Passkey rollout coverage (issue 15, part C; docs/decisions/038): which wave a person belongs to,
 * and what each coverage figure counts. Pure: the reports count in SQL
 * (lib/server/coverage-sql.ts writes these same rules as SQL conditions, and the integration
 * tests check both agree on seeded data); the directory's coverage filters use the same SQL.
 *
 * No zod here: the settings form and the reports import these lists and labels.
 */
import type { RiskTier } from "./workforce";

/** Unused for this many days (no sign-in with any active passkey): stale. */
export const STALE_DAYS = 90;
/** Recovery calls per 100 users count the cases opened in this many days. */
export const CALLS_PERIOD_DAYS = 90;

/**
 * The figures, each one a set of people the directory can list (`?coverage=<key>`):
 * - `population`: active employees (status ACTIVE; leavers, people leaving and suspended people
 *   are not counted anywhere);
 * - `enrolled`: holding at least one active passkey;
 * - `two-or-more`: holding two or more active passkeys;
 * - `synced`: holding at least one synced (backed-up) active passkey;
 * - `device-bound`: enrolled, every active passkey device-bound;
 * - `lockout-risk`: no active passkey, or exactly one and it device-bound: one lost phone (or
 *   key) away from a call to the desk;
 * - `stale`: enrolled, and no active passkey used (or, never used, created) in STALE_DAYS days;
 * - `called`: opened a recovery case in CALLS_PERIOD_DAYS days (the people behind "recovery calls
 *   per 100 users").
 */
export const COVERAGE_KEYS = [
  "population",
  "enrolled",
  "two-or-more",
  "synced",
  "device-bound",
  "lockout-risk",
  "stale",
  "called",
] as const;
export type CoverageKey = (typeof COVERAGE_KEYS)[number];

export const COVERAGE_LABELS: Record<CoverageKey, string> = {
  population: "Active employees",
  enrolled: "Enrolled",
  "two-or-more": "Two or more passkeys",
  synced: "Holding a synced passkey",
  "device-bound": "Device-bound only",
  "lockout-risk": "At lockout risk",
  stale: `Stale (unused ${STALE_DAYS} days)`,
  called: `Called the desk (${CALLS_PERIOD_DAYS} days)`,
};

/** One person's facts, as the coverage rules read them. */
export type CoverageFacts = {
  status: string;
  /** Their active passkeys: synced or not, and when each was last used (or created). */
  passkeys: readonly { backedUp: boolean; lastUsedAt: Date | null; createdAt: Date }[];
  /** Recovery cases opened for them in CALLS_PERIOD_DAYS days. */
  recentCases: number;
};

const DAY = 24 * 60 * 60 * 1000;

/** Whether a person counts in a figure. Only active employees count in any. */
export function inFigure(key: CoverageKey, person: CoverageFacts, now: Date): boolean {
  if (person.status !== "ACTIVE") return false;
  const n = person.passkeys.length;
  const synced = person.passkeys.filter((p) => p.backedUp).length;
  switch (key) {
    case "population":
      return true;
    case "enrolled":
      return n >= 1;
    case "two-or-more":
      return n >= 2;
    case "synced":
      return synced >= 1;
    case "device-bound":
      return n >= 1 && synced === 0;
    case "lockout-risk":
      return atLockoutRisk(person.passkeys);
    case "stale": {
      if (n === 0) return false;
      const last = Math.max(...person.passkeys.map((p) => (p.lastUsedAt ?? p.createdAt).getTime()));
      return last < now.getTime() - STALE_DAYS * DAY;
    }
    case "called":
      return person.recentCases > 0;
  }
}

/** None, or exactly one and it device-bound: losing that one device means a call to the desk. */
export function atLockoutRisk(passkeys: readonly { backedUp: boolean }[]): boolean {
  return passkeys.length === 0 || (passkeys.length === 1 && !passkeys[0]!.backedUp);
}

/** The figures for a group of people, and the calls per 100 of them. */
export function coverageFigures(
  people: readonly CoverageFacts[],
  now: Date,
): Record<CoverageKey, number> & { calls: number; callsPer100: number | null } {
  const figures = Object.fromEntries(
    COVERAGE_KEYS.map((key) => [key, people.filter((p) => inFigure(key, p, now)).length]),
  ) as Record<CoverageKey, number>;
  const calls = people
    .filter((p) => p.status === "ACTIVE")
    .reduce((sum, p) => sum + p.recentCases, 0);
  return { ...figures, calls, callsPer100: callsPer100(calls, figures.population) };
}

/** Calls per 100 people, one decimal; null for nobody. */
export function callsPer100(calls: number, people: number): number | null {
  return people === 0 ? null : Math.round((calls / people) * 1000) / 10;
}

/** A rollout wave as the membership rule reads it. */
export type WaveScope = {
  id: string;
  /** Empty: every department. */
  departments: readonly string[];
  /** Empty: every tier. */
  tiers: readonly RiskTier[];
  startsOn: Date;
  createdAt: Date;
  retiredAt: Date | null;
};

/**
 * Waves may overlap (Finance in one, every high-risk person in another): a person belongs to the
 * FIRST wave whose scope matches them, in the order (starts on, created at, id), retired waves
 * left out. So the earliest wave that names someone owns them, and a later, broader wave takes
 * everyone the earlier ones left. A person no wave matches is in no wave.
 */
export function waveOf<W extends WaveScope>(
  person: { department: string; riskTier: RiskTier },
  waves: readonly W[],
): W | null {
  return (
    orderWaves(waves).find(
      (wave) =>
        (wave.departments.length === 0 || wave.departments.includes(person.department)) &&
        (wave.tiers.length === 0 || wave.tiers.includes(person.riskTier)),
    ) ?? null
  );
}

/** Live waves in membership order. */
export function orderWaves<W extends WaveScope>(waves: readonly W[]): W[] {
  return waves
    .filter((wave) => wave.retiredAt === null)
    .sort(
      (a, b) =>
        a.startsOn.getTime() - b.startsOn.getTime() ||
        a.createdAt.getTime() - b.createdAt.getTime() ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

export type WavePhase = "upcoming" | "in-window" | "overdue" | "retired";

/** Where a wave stands on a day: before its start, inside its migration window, or past its end. */
export function wavePhase(
  wave: { startsOn: Date; windowEndsOn: Date; retiredAt: Date | null },
  now: Date,
): WavePhase {
  if (wave.retiredAt) return "retired";
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (today < wave.startsOn.getTime()) return "upcoming";
  if (today <= wave.windowEndsOn.getTime()) return "in-window";
  return "overdue";
}

export const WAVE_PHASE_LABELS: Record<WavePhase, string> = {
  upcoming: "Upcoming",
  "in-window": "In its migration window",
  overdue: "Past its window",
  retired: "Retired",
};
