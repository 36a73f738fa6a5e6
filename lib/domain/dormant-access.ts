/**
 * The dormant access report (issue 14, docs/decisions/035): who still holds a way in that they
 * should not. Pure computations over plain rows; the queries are in
 * lib/server/get-dormant-access.ts and the page section in app/(console)/reports/dormant-access.tsx.
 *
 * - Leavers (isLeaver: LEFT, SUSPENDED, or a leaving date that has passed) with anything still
 *   active: passkeys, workforce sessions, passes, enrolment links, open cases.
 * - People with no sign-in for N days who still hold active passkeys.
 * - The time from the HR leaving date to the revocation (the first revocation of their passkeys
 *   or the first status change to LEFT/SUSPENDED, whichever came first, on or after the leaving
 *   date), as a distribution.
 */
import { isLeaver, type EmploymentStatus } from "./workforce";

/** The "no sign-in for N days" choices offered in the address (?dormant=N). */
export const DORMANT_DAYS = [30, 60, 90, 180] as const;
export type DormantDays = (typeof DORMANT_DAYS)[number];
export const DEFAULT_DORMANT_DAYS: DormantDays = 90;

/** The address's ?dormant= value, or the default when it is missing or not one of the choices. */
export function parseDormantDays(raw: unknown): DormantDays {
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return (DORMANT_DAYS as readonly number[]).includes(value)
    ? (value as DormantDays)
    : DEFAULT_DORMANT_DAYS;
}

const DAY = 24 * 60 * 60 * 1000;

export type AccessHolder = {
  userId: string;
  name: string;
  employeeId: string;
  status: EmploymentStatus;
  leavingOn: Date | null;
  /** Active passkeys, with their last use (null: never used). */
  passkeys: { createdAt: Date; lastUsedAt: Date | null }[];
  /** Workforce sessions not yet expired, and when each began. */
  sessions: { createdAt: Date }[];
  /** Passes neither used, voided nor expired. */
  passes: number;
  /** Enrolment links neither used, voided nor expired. */
  links: number;
  /** Cases not closed nor revoked. */
  openCases: number;
  /** Sessions of any age, for the last sign-in (newest first is not required). */
  signIns: Date[];
};

export type ActiveLeaver = {
  userId: string;
  name: string;
  employeeId: string;
  status: EmploymentStatus;
  leavingOn: Date | null;
  passkeys: number;
  sessions: number;
  passes: number;
  links: number;
  openCases: number;
  /** A passkey was used after the leaving date: the worst case, shown first. */
  usedAfterLeaving: boolean;
};

/** Leavers holding anything still active, those whose passkey was used after leaving first. */
export function activeLeavers(holders: readonly AccessHolder[], now: Date): ActiveLeaver[] {
  return holders
    .filter((h) => isLeaver(h, now))
    .map((h) => ({
      userId: h.userId,
      name: h.name,
      employeeId: h.employeeId,
      status: h.status,
      leavingOn: h.leavingOn,
      passkeys: h.passkeys.length,
      sessions: h.sessions.length,
      passes: h.passes,
      links: h.links,
      openCases: h.openCases,
      usedAfterLeaving:
        h.leavingOn !== null &&
        h.passkeys.some((p) => p.lastUsedAt !== null && p.lastUsedAt > h.leavingOn!),
    }))
    .filter((l) => l.passkeys + l.sessions + l.passes + l.links + l.openCases > 0)
    .sort(
      (a, b) =>
        Number(b.usedAfterLeaving) - Number(a.usedAfterLeaving) || a.name.localeCompare(b.name),
    );
}

/**
 * When a person last signed in: the newest use of any of their passkeys or start of a session.
 * Someone who never did counts from their oldest active passkey's enrolment (they have held it
 * unused since then); null when there is neither.
 */
export function lastSignIn(holder: AccessHolder): Date | null {
  const used = [
    ...holder.passkeys.flatMap((p) => (p.lastUsedAt ? [p.lastUsedAt] : [])),
    ...holder.signIns,
  ];
  if (used.length) return new Date(Math.max(...used.map((d) => d.getTime())));
  if (holder.passkeys.length)
    return new Date(Math.min(...holder.passkeys.map((p) => p.createdAt.getTime())));
  return null;
}

export type DormantHolder = {
  userId: string;
  name: string;
  employeeId: string;
  passkeys: number;
  lastSignIn: Date;
  daysSince: number;
};

/**
 * People (leavers included: they are in the first list too) who hold an active passkey and have
 * not signed in for `days` days, the longest silent first.
 */
export function dormantHolders(
  holders: readonly AccessHolder[],
  days: number,
  now: Date,
): DormantHolder[] {
  const cutoff = now.getTime() - days * DAY;
  return holders
    .filter((h) => h.passkeys.length > 0)
    .flatMap((h) => {
      const last = lastSignIn(h);
      if (!last || last.getTime() > cutoff) return [];
      return [
        {
          userId: h.userId,
          name: h.name,
          employeeId: h.employeeId,
          passkeys: h.passkeys.length,
          lastSignIn: last,
          daysSince: Math.floor((now.getTime() - last.getTime()) / DAY),
        },
      ];
    })
    .sort(
      (a, b) => a.lastSignIn.getTime() - b.lastSignIn.getTime() || a.name.localeCompare(b.name),
    );
}

/** The distribution's buckets, from the leaving date to the revocation: whole days below maxDays. */
export const LEAVE_TO_REVOCATION_BUCKETS = [
  { key: "same-day", label: "Same day", maxDays: 1 },
  { key: "within-week", label: "1 to 7 days", maxDays: 8 },
  { key: "within-month", label: "8 to 30 days", maxDays: 31 },
  { key: "later", label: "Over 30 days", maxDays: Infinity },
] as const;
export type LeaveBucket = (typeof LEAVE_TO_REVOCATION_BUCKETS)[number]["key"] | "not-yet";

export type LeaveToRevocation = {
  userId: string;
  name: string;
  employeeId: string;
  leavingOn: Date;
  revokedAt: Date | null;
  /** Whole days from the leaving date to the revocation; to now for those not yet revoked. */
  days: number;
  bucket: LeaveBucket;
};

/**
 * For each person whose leaving date has passed: the first revocation of their passkeys or status
 * change to LEFT/SUSPENDED on or after the leaving date (an earlier one belongs to something else),
 * and the days it took. Those with neither are "not yet", counted to now.
 */
export function leaveToRevocation(
  leavers: readonly { userId: string; name: string; employeeId: string; leavingOn: Date }[],
  revocations: readonly { userId: string; at: Date }[],
  now: Date,
): LeaveToRevocation[] {
  return leavers
    .filter((l) => l.leavingOn.getTime() <= now.getTime())
    .map((l) => {
      const first = revocations
        .filter((r) => r.userId === l.userId && r.at.getTime() >= l.leavingOn.getTime())
        .reduce<Date | null>((min, r) => (min === null || r.at < min ? r.at : min), null);
      const end = first ?? now;
      const days = Math.floor((end.getTime() - l.leavingOn.getTime()) / DAY);
      const bucket: LeaveBucket = first
        ? LEAVE_TO_REVOCATION_BUCKETS.find((b) => days < b.maxDays)!.key
        : "not-yet";
      return { ...l, revokedAt: first, days, bucket };
    })
    .sort((a, b) => b.days - a.days || a.name.localeCompare(b.name));
}

/** The distribution: one count per bucket, in order, "not yet" last. */
export function leaveToRevocationCounts(
  rows: readonly LeaveToRevocation[],
): { key: LeaveBucket; label: string; count: number }[] {
  return [
    ...LEAVE_TO_REVOCATION_BUCKETS.map((b) => ({ key: b.key as LeaveBucket, label: b.label })),
    { key: "not-yet" as const, label: "Not yet revoked" },
  ].map((b) => ({ ...b, count: rows.filter((r) => r.bucket === b.key).length }));
}
