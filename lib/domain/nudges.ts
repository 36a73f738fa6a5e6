/**
 * Nudge campaigns (issue 15, part C; docs/decisions/038): the rules the campaign job follows, pure.
 * lib/server/rollout/nudge-campaigns.ts runs them under the campaign's claim.
 *
 * No zod here (the campaign page's client form imports the bounds).
 */

/** A campaign mails at most this many people an hour, by default; the reviewer may choose 1 … 1,000. */
export const DEFAULT_RATE_PER_HOUR = 50;
export const MAX_RATE_PER_HOUR = 1000;
/** A person is mailed at most once in this many days (by any campaign), by default; 1 … 90. */
export const DEFAULT_RESEND_DAYS = 7;
export const MAX_RESEND_DAYS = 90;

export const CAMPAIGN_STATUSES = ["running", "stopped", "completed"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * A running campaign's rounds are at least this far apart: a round reads coverage in its scope,
 * which at 100,000 people is worth doing once a minute, not on every two-second tick.
 */
export const ROUND_INTERVAL_SECONDS = 60;

/** A campaign whose last round was before this moment is due another. */
export function roundDueBefore(now: Date): Date {
  return new Date(now.getTime() - ROUND_INTERVAL_SECONDS * 1000);
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * How many more people the campaign may mail now: its rate less what it mailed in the hour before
 * `now` (a sliding hour, so a job that runs every few seconds never sends more than the rate in
 * any hour).
 */
export function sendBudget(ratePerHour: number, sentInLastHour: number): number {
  return Math.max(0, ratePerHour - sentInLastHour);
}

/** The start of the hour the budget counts sends in. */
export function budgetWindowStart(now: Date): Date {
  return new Date(now.getTime() - HOUR);
}

/** Sends to a person at or after this moment mean they are not mailed again yet. */
export function resendCutoff(now: Date, resendDays: number): Date {
  return new Date(now.getTime() - resendDays * DAY);
}

/**
 * What the job does with a running campaign once it has mailed this round: it completes when
 * nobody in scope is at lockout risk any more (mailed or not), else it keeps running (people at
 * risk who were mailed recently wait for their resend day).
 */
export function campaignAfterRound(atRiskInScope: number): "completed" | "running" {
  return atRiskInScope === 0 ? "completed" : "running";
}

/** A UTC day, YYYY-MM-DD. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The campaign's effect by day, from its start to `until` (its end, or now): people mailed that
 * day for the first time, people covered that day (their first mail's person no longer at
 * risk), and the running totals. `sends` are the campaign's mails (a person may have several).
 */
export function campaignEffect(input: {
  startedAt: Date;
  until: Date;
  atRiskAtStart: number;
  sends: readonly { userId: string; sentAt: Date; coveredAt: Date | null }[];
}): {
  day: string;
  mailed: number;
  covered: number;
  mailedSoFar: number;
  coveredSoFar: number;
}[] {
  const firstMail = new Map<string, Date>();
  const coveredAt = new Map<string, Date>();
  for (const send of input.sends) {
    const first = firstMail.get(send.userId);
    if (!first || send.sentAt < first) firstMail.set(send.userId, send.sentAt);
    if (send.coveredAt) {
      const seen = coveredAt.get(send.userId);
      if (!seen || send.coveredAt < seen) coveredAt.set(send.userId, send.coveredAt);
    }
  }
  const days: string[] = [];
  const start = Date.UTC(
    input.startedAt.getUTCFullYear(),
    input.startedAt.getUTCMonth(),
    input.startedAt.getUTCDate(),
  );
  for (let t = start; t <= input.until.getTime(); t += DAY) days.push(utcDay(new Date(t)));
  if (days.length === 0) days.push(utcDay(input.startedAt));
  let mailedSoFar = 0;
  let coveredSoFar = 0;
  return days.map((day) => {
    const mailed = [...firstMail.values()].filter((at) => utcDay(at) === day).length;
    const covered = [...coveredAt.values()].filter((at) => utcDay(at) === day).length;
    mailedSoFar += mailed;
    coveredSoFar += covered;
    return { day, mailed, covered, mailedSoFar, coveredSoFar };
  });
}
