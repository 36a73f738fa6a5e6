import type { Metadata } from "next";
import Link from "next/link";
import { TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import {
  DEADLINE_LABELS,
  formatDuration,
  parseQueueFilters,
  QUEUE_VIEWS,
  queueHref,
  queueViewLabel,
  type QueueView,
} from "@/lib/domain/case-queue";
import { TimeLeft } from "@/components/time-left";
import { CASE_REASON_LABELS, CASE_REASONS } from "@/lib/domain/recovery-policy";
import { RISK_TIERS } from "@/lib/domain/workforce";
import { findCases, QUEUE_PAGE } from "@/lib/server/find-cases";
import { liveStamp } from "@/lib/server/live-stream";
import { LiveTopics } from "../_components/live";

export const metadata: Metadata = { title: "Cases" };

const TIER_LABELS: Record<(typeof RISK_TIERS)[number], string> = {
  STANDARD: "Standard",
  HIGH_RISK: "High risk",
  PRIVILEGED: "Privileged",
  CONTRACTOR: "Contractor",
  FRONTLINE: "Frontline",
};

const field = "mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export default async function CasesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requirePermission("cases:read", "/cases");
  const filters = parseQueueFilters(await searchParams);
  const [cases, stamp] = await Promise.all([findCases({ viewer: staff, filters }), liveStamp()]);
  const now = new Date();
  const filtered = Boolean(filters.reason || filters.tier || filters.q);
  return (
    <section className="space-y-6">
      <LiveTopics topics={["queue"]} stamp={stamp} />
      <div>
        <h1 className="text-2xl font-semibold">Cases</h1>
        <p className="mt-1 text-sm text-slate-600">
          {staff.role === "SECURITY"
            ? "Every team’s cases."
            : staff.team
              ? `${staff.team}’s cases.`
              : "Your account has no team, so there are no cases to show. Ask your identity team to set your team."}{" "}
          Open a case from the caller’s page in Users. The queue updates by itself.
        </p>
      </div>

      <nav aria-label="Queues">
        <ul className="flex flex-wrap gap-1">
          {(Object.keys(QUEUE_VIEWS) as QueueView[]).map((view) => {
            const current = view === filters.view;
            return (
              <li key={view}>
                <Link
                  href={queueHref({ ...filters, view })}
                  aria-current={current ? "page" : undefined}
                  className={`block rounded-md px-3 py-2 text-sm font-medium ${current ? "bg-indigo-50 text-indigo-800" : "text-slate-700 hover:bg-slate-100"}`}
                >
                  {queueViewLabel(view, staff.role)}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>

      <form
        method="get"
        action="/cases"
        role="search"
        aria-label="Filter cases"
        className="flex flex-wrap items-end gap-3"
      >
        {filters.view !== "team" ? <input type="hidden" name="view" value={filters.view} /> : null}
        <div>
          <label htmlFor="queue-q" className="block text-xs font-medium text-slate-700">
            Ticket, name or employee ID
          </label>
          <input
            id="queue-q"
            name="q"
            type="search"
            defaultValue={filters.q ?? ""}
            maxLength={100}
            className={field}
          />
        </div>
        <div>
          <label htmlFor="queue-reason" className="block text-xs font-medium text-slate-700">
            Reason
          </label>
          <select
            id="queue-reason"
            name="reason"
            defaultValue={filters.reason ?? ""}
            className={field}
          >
            <option value="">Any reason</option>
            {CASE_REASONS.map((reason) => (
              <option key={reason} value={reason}>
                {CASE_REASON_LABELS[reason]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="queue-tier" className="block text-xs font-medium text-slate-700">
            Tier
          </label>
          <select id="queue-tier" name="tier" defaultValue={filters.tier ?? ""} className={field}>
            <option value="">Any tier</option>
            {RISK_TIERS.map((tier) => (
              <option key={tier} value={tier}>
                {TIER_LABELS[tier]}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className="rounded-md bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800"
        >
          Filter
        </button>
        {filtered ? (
          <Link
            href={queueHref({ view: filters.view })}
            className="py-2 text-sm font-medium text-indigo-700 hover:underline"
          >
            Clear filters
          </Link>
        ) : null}
      </form>

      {cases.length === 0 ? (
        <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
          {filtered || filters.view !== "team" ? "No cases match." : "No open cases."}
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">
              {queueViewLabel(filters.view, staff.role)}: {cases.length}
              {cases.length === QUEUE_PAGE ? " or more" : ""} cases
            </caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Caller
                </th>
                <th scope="col" className="px-4 py-2">
                  Reason
                </th>
                <th scope="col" className="px-4 py-2">
                  State
                </th>
                <th scope="col" className="px-4 py-2">
                  Owner
                </th>
                <th scope="col" className="px-4 py-2">
                  {filters.view === "closed" ? "Closed" : "Age"}
                </th>
                <th scope="col" className="px-4 py-2">
                  Time left
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {cases.map((kase) => (
                <tr key={kase.id}>
                  <td className="px-4 py-2">
                    <Link
                      href={`/cases/${kase.id}`}
                      className="font-medium text-indigo-700 hover:underline"
                    >
                      {kase.user.name}
                    </Link>
                    <span className="block font-mono text-xs text-slate-600">
                      {kase.user.employeeId}
                      {kase.ticketRef ? ` · ${kase.ticketRef}` : ""}
                    </span>
                  </td>
                  <td className="px-4 py-2">
                    {CASE_REASON_LABELS[kase.reason]}{" "}
                    <span className="ml-1">
                      <TierBadge tier={kase.riskTier} />
                    </span>
                  </td>
                  <td className="px-4 py-2">
                    <span className="flex flex-wrap gap-1">
                      {kase.stopped ? (
                        <Badge tone="bad">stopped</Badge>
                      ) : (
                        <Badge tone={kase.closedAt ? "neutral" : "info"}>
                          {kase.status.replace(/_/g, " ").toLowerCase()}
                        </Badge>
                      )}
                      {kase.waitingForSupervisor ? <Badge tone="warn">supervisor</Badge> : null}
                    </span>
                    {kase.stopped ? (
                      <span className="mt-1 block max-w-64 text-xs text-slate-600">
                        {kase.stopped.message}
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2">
                    {kase.owner ? (
                      kase.owner.id === staff.id ? (
                        <span className="font-medium">You</span>
                      ) : (
                        kase.owner.name
                      )
                    ) : (
                      <span className="text-slate-600">Nobody</span>
                    )}
                    {staff.role === "SECURITY" ? (
                      <span className="block text-xs text-slate-600">{kase.team ?? "no team"}</span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2 text-xs whitespace-nowrap text-slate-700">
                    {kase.closedAt
                      ? `${formatDuration(now.getTime() - kase.closedAt.getTime())} ago`
                      : formatDuration(now.getTime() - kase.createdAt.getTime())}
                  </td>
                  <td className="px-4 py-2 text-xs">
                    {kase.deadlines.length === 0 ? (
                      <span className="text-slate-600">—</span>
                    ) : (
                      <ul>
                        {kase.deadlines.map((deadline) => {
                          return (
                            <li
                              key={`${deadline.kind}-${deadline.at.toISOString()}`}
                              className="text-slate-700"
                            >
                              {DEADLINE_LABELS[deadline.kind]}:{" "}
                              <TimeLeft
                                at={deadline.at.toISOString()}
                                serverNow={now.toISOString()}
                              />
                            </li>
                          );
                        })}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
