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

/** Minutes from each stolen-device case to the first revocation for that user at or after it. */
export function minutesToRevocation(
  cases: readonly { userId: string; openedAt: Date }[],
  revocations: readonly { userId: string; at: Date }[],
): number[] {
  return cases.flatMap((kase) => {
    const first = revocations
      .filter((r) => r.userId === kase.userId && r.at.getTime() >= kase.openedAt.getTime())
      .reduce<Date | null>((best, r) => (best === null || r.at < best ? r.at : best), null);
    return first ? [(first.getTime() - kase.openedAt.getTime()) / 60_000] : [];
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
