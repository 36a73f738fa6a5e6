import Link from "next/link";
import { formatDate } from "@/components/status-badge";
import { DORMANT_DAYS, type DormantDays } from "@/lib/domain/dormant-access";
import { getDormantAccess } from "@/lib/server/get-dormant-access";
import { Bar } from "./bar-chart";

/** Rows shown per list: past this, the list says how many more there are. */
const LIST_LIMIT = 100;

function More({ total }: { total: number }) {
  return total > LIST_LIMIT ? (
    <p className="mt-2 text-xs text-slate-600">
      Showing {LIST_LIMIT} of {total}.
    </p>
  ) : null;
}

const person = (p: { userId: string; name: string; employeeId: string }) => (
  <>
    <Link href={`/users/${p.userId}`} className="text-indigo-700 hover:underline">
      {p.name}
    </Link>{" "}
    <span className="font-mono text-xs text-slate-600">{p.employeeId}</span>
  </>
);

/**
 * Dormant access (issue 14, docs/decisions/035): leavers still holding a way in, passkey holders
 * silent for N days (?dormant=N), and the time from the HR leaving date to revocation. Each figure
 * links to the people behind it, listed below on the same page.
 */
export async function DormantAccess({
  dormantDays,
  days,
}: {
  dormantDays: DormantDays;
  days: number;
}) {
  const report = await getDormantAccess(dormantDays);
  const usedAfter = report.leavers.filter((l) => l.usedAfterLeaving).length;
  const largest = Math.max(1, ...report.toRevocationCounts.map((b) => b.count));
  return (
    <section
      aria-labelledby="dormant"
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="dormant" className="text-sm font-semibold">
          Dormant access
        </h2>
        <nav aria-label="No sign-in for" className="flex gap-2 text-xs">
          {DORMANT_DAYS.map((n) => (
            <Link
              key={n}
              href={`/reports?days=${days}&dormant=${n}#dormant`}
              aria-current={n === dormantDays ? "page" : undefined}
              className={`rounded-md px-2 py-1 ${n === dormantDays ? "bg-indigo-50 font-medium text-indigo-800" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {n} days
            </Link>
          ))}
        </nav>
      </div>
      <dl className="grid gap-4 sm:grid-cols-3">
        <div className="rounded-lg border border-slate-200 p-3">
          <dt className="text-xs text-slate-600">Leavers with anything still active</dt>
          <dd className="mt-1 text-lg font-semibold">
            <a href="#dormant-leavers" className="text-indigo-700 hover:underline">
              {report.leavers.length}
            </a>
            {usedAfter ? (
              <span className="ml-2 text-sm font-normal text-rose-700">
                {usedAfter} used a passkey after leaving
              </span>
            ) : null}
          </dd>
        </div>
        <div className="rounded-lg border border-slate-200 p-3">
          <dt className="text-xs text-slate-600">
            Holding passkeys, no sign-in for {dormantDays} days
          </dt>
          <dd className="mt-1 text-lg font-semibold">
            <a href="#dormant-holders" className="text-indigo-700 hover:underline">
              {report.dormant.length}
            </a>
          </dd>
        </div>
        <div className="rounded-lg border border-slate-200 p-3">
          <dt className="text-xs text-slate-600">Leavers not yet revoked</dt>
          <dd className="mt-1 text-lg font-semibold">
            <a href="#dormant-revocation" className="text-indigo-700 hover:underline">
              {report.toRevocationCounts.find((b) => b.key === "not-yet")!.count}
            </a>{" "}
            <span className="text-sm font-normal text-slate-600">
              of {report.toRevocation.length} past their leaving date
            </span>
          </dd>
        </div>
      </dl>

      <figure>
        <figcaption id="chart-leave-to-revocation" className="text-sm font-semibold">
          From the HR leaving date to revocation
        </figcaption>
        <table
          aria-labelledby="chart-leave-to-revocation"
          className="mt-2 w-full table-fixed text-xs"
          data-chart="leave-to-revocation"
        >
          <colgroup>
            <col className="w-32" />
            <col />
          </colgroup>
          <tbody>
            {report.toRevocationCounts.map((b) => (
              <tr key={b.key}>
                <th scope="row" className="py-1 pr-2 text-left font-normal text-slate-700">
                  {b.label}
                </th>
                <td className="py-1">
                  <div className="flex items-center gap-2">
                    <Bar
                      share={b.count / largest}
                      tone={b.key === "not-yet" || b.key === "later" ? "bad" : "info"}
                      className="h-4 min-w-0 flex-1"
                    />
                    <span className="w-10 text-right font-medium tabular-nums">{b.count}</span>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </figure>

      <div id="dormant-leavers">
        <h3 className="text-sm font-semibold">Leavers with anything still active</h3>
        {report.leavers.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">None.</p>
        ) : (
          <div className="mt-1 overflow-x-auto">
            <table className="text-sm">
              <thead>
                <tr className="text-left text-xs text-slate-600">
                  <th className="pr-4 font-medium">Person</th>
                  <th className="pr-4 font-medium">Status</th>
                  <th className="pr-4 font-medium">Left</th>
                  <th className="pr-4 font-medium">Still active</th>
                </tr>
              </thead>
              <tbody>
                {report.leavers.slice(0, LIST_LIMIT).map((l) => (
                  <tr key={l.userId} data-user={l.employeeId}>
                    <td className="pr-4">{person(l)}</td>
                    <td className="pr-4 text-xs">{l.status.toLowerCase()}</td>
                    <td className="pr-4 text-xs">{l.leavingOn ? formatDate(l.leavingOn) : "—"}</td>
                    <td className="pr-4 text-xs">
                      {[
                        [l.passkeys, "passkey"],
                        [l.sessions, "session"],
                        [l.passes, "pass"],
                        [l.links, "enrolment link"],
                        [l.openCases, "open case"],
                      ]
                        .filter(([n]) => Number(n) > 0)
                        .map(
                          ([n, what]) =>
                            `${n} ${what}${Number(n) > 1 ? (what === "pass" ? "es" : "s") : ""}`,
                        )
                        .join(", ")}
                      {l.usedAfterLeaving ? (
                        <strong className="ml-2 text-rose-700">used after leaving</strong>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <More total={report.leavers.length} />
      </div>

      <div id="dormant-holders">
        <h3 className="text-sm font-semibold">
          Holding passkeys, no sign-in for {dormantDays} days
        </h3>
        {report.dormant.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">None.</p>
        ) : (
          <ul className="mt-1 space-y-1 text-sm">
            {report.dormant.slice(0, LIST_LIMIT).map((d) => (
              <li key={d.userId} data-user={d.employeeId}>
                {person(d)}: {d.passkeys} passkey{d.passkeys > 1 ? "s" : ""}, last sign-in{" "}
                {formatDate(d.lastSignIn)} ({d.daysSince} days)
              </li>
            ))}
          </ul>
        )}
        <More total={report.dormant.length} />
      </div>

      <div id="dormant-revocation">
        <h3 className="text-sm font-semibold">Leaving date to revocation, per person</h3>
        {report.toRevocation.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">None.</p>
        ) : (
          <ul className="mt-1 space-y-1 text-sm">
            {report.toRevocation.slice(0, LIST_LIMIT).map((r) => (
              <li key={r.userId} data-user={r.employeeId}>
                {person(r)}: left {formatDate(r.leavingOn)},{" "}
                {r.revokedAt
                  ? `revoked ${formatDate(r.revokedAt)} (${r.days} days)`
                  : `not yet revoked (${r.days} days)`}
              </li>
            ))}
          </ul>
        )}
        <More total={report.toRevocation.length} />
      </div>
    </section>
  );
}
