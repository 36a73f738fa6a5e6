/**
 * Recovery reports as pure aggregations over plain rows (the queries are in
 * lib/server/get-recovery-report.ts): what supervisors and reviewers watch.
 */
export const REPORT_PERIODS = [7, 30, 90] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function countBy<T>(
  rows: readonly T[],
  key: (row: T) => string,
): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return [...counts]
    .map(([k, count]) => ({ key: k, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/**
 * How long before a stolen-device case opened a revocation by the same agent for the same person
 * still belongs to that call. The desk's advice is to revoke first, then open the case: the
 * revocation is then minutes older than the case. Thirty minutes covers a long call (the caller
 * identified, the passkeys revoked, questions answered, then the case written up) without
 * reaching back to an unrelated revocation of the morning. docs/decisions/026.
 */
export const REVOKED_BEFORE_CASE_MINUTES = 30;

/**
 * Minutes from the start of each stolen-device call to the revocation of the caller's passkeys,
 * for the calls that led to one (the reports' "calls to revocation"). The call starts when the
 * case opens, or earlier when the case's agent revoked that person's passkeys in the
 * REVOKED_BEFORE_CASE_MINUTES before it (and after any earlier stolen-device case of theirs, which
 * that revocation belongs to): such a revocation was the call's first act and counts as 0
 * minutes. Otherwise the first revocation for that person at or after the case opened counts,
 * whoever made it.
 */
export function minutesToRevocation(
  cases: readonly { userId: string; agentId: string; openedAt: Date }[],
  revocations: readonly { userId: string; actorId: string; at: Date }[],
  windowMinutes: number = REVOKED_BEFORE_CASE_MINUTES,
): number[] {
  return cases.flatMap((kase) => {
    const opened = kase.openedAt.getTime();
    const previous = cases
      .filter((other) => other.userId === kase.userId && other.openedAt.getTime() < opened)
      .reduce((latest, other) => Math.max(latest, other.openedAt.getTime()), -Infinity);
    const from = Math.max(opened - windowMinutes * 60_000, previous);
    const revokedFirst = revocations.some(
      (r) =>
        r.userId === kase.userId &&
        r.actorId === kase.agentId &&
        r.at.getTime() >= from &&
        r.at.getTime() < opened,
    );
    if (revokedFirst) return [0];
    const first = revocations
      .filter((r) => r.userId === kase.userId && r.at.getTime() >= opened)
      .reduce<number | null>(
        (best, r) => (best === null || r.at.getTime() < best ? r.at.getTime() : best),
        null,
      );
    return first === null ? [] : [(first - opened) / 60_000];
  });
}

/** Users with more than one case in the period, most calls first. */
export function repeatCallers(
  cases: readonly { userId: string; userName: string }[],
): { userId: string; userName: string; calls: number }[] {
  const byUser = new Map<string, { userId: string; userName: string; calls: number }>();
  for (const kase of cases) {
    const entry = byUser.get(kase.userId) ?? {
      userId: kase.userId,
      userName: kase.userName,
      calls: 0,
    };
    entry.calls++;
    byUser.set(kase.userId, entry);
  }
  return [...byUser.values()]
    .filter((u) => u.calls > 1)
    .sort((a, b) => b.calls - a.calls || a.userName.localeCompare(b.userName));
}
