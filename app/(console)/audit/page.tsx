import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import {
  auditActionLabel,
  auditDetailLines,
  auditSubjectLines,
  refusalLabel,
} from "@/lib/domain/audit-labels";
import { AUDIT_ACTION_NAMES, AuditSearchSchema, hidesReads } from "@/lib/domain/audit-search";
import { getAuditIntegrity } from "@/lib/server/get-audit-integrity";
import { findAuditEvents } from "@/lib/server/find-audit-events";
import { getRequestContext } from "@/lib/server/request-context";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../_components/step-up";
import { IntegrityPanel } from "./integrity";
import { SiemSinksSection } from "./siem-sinks";

export const metadata: Metadata = { title: "Audit trail" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const field = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const staff = await requirePermission("audit:read", "/audit");
  const raw = await searchParams;
  const values = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, (Array.isArray(v) ? v[0] : v) || undefined]),
  );
  const parsed = AuditSearchSchema.safeParse(values);
  const search = parsed.success ? parsed.data : AuditSearchSchema.parse({});
  const { events, newer, older, hiddenReads, userNames } = parsed.success
    ? await findAuditEvents({ actor: staff, search, request: await getRequestContext() })
    : { events: [], newer: null, older: null, hiddenReads: null, userNames: new Map() };
  const integrity = await getAuditIntegrity({
    checkNow: parsed.success && parsed.data.verify === "1",
  });
  // Exports need a fresh step-up (decision 015); the route handler enforces it, this only asks first.
  const stepUp = await getStepUpView(staff.id, await getCurrentStaffSession());
  // Every link keeps the filters and starts again from the newest page unless it names a
  // cursor: changing what is shown resets the paging, paging keeps what is shown.
  const link = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({
      ...search,
      verify: undefined,
      before: undefined,
      after: undefined,
      ...extra,
    }))
      if (v) params.set(k, String(v));
    return `/audit?${params}`;
  };
  // The export is the trail the filters select, reads included (the page only hides them).
  const exportLink = (format: string) =>
    link({ format, reads: undefined }).replace("/audit?", "/audit/export?");
  const filtered = ["action", "outcome", "actor", "userId", "caseId", "from", "to"].some(
    (key) => values[key] !== undefined,
  );
  const readsHidden = hidesReads(search);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Audit trail</h1>
          <p className="mt-1 text-sm text-slate-600">
            Every decision, refusals included: signed, append-only, in a Merkle tree whose
            checkpoints are signed and witnessed. Your searches are recorded too.
          </p>
        </div>
        <div className="flex gap-2">
          <Link
            href={link({ verify: "1" })}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium"
          >
            Check integrity now
          </Link>
          {stepUp.fresh ? (
            <>
              <a
                href={exportLink("jsonl")}
                className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium"
                download
              >
                Export JSON Lines
              </a>
              <a
                href={exportLink("csv")}
                className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium"
                download
              >
                Export CSV
              </a>
              <a
                href={exportLink("ocsf")}
                className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium"
                title="OCSF 1.9.0-dev events, one per line, for a SIEM"
                download
              >
                Export OCSF
              </a>
            </>
          ) : null}
        </div>
      </div>
      <StepUpPanel {...stepUp} what="export the trail" />

      <IntegrityPanel integrity={integrity} />
      <SiemSinksSection />

      {/* Keyed by what it shows: a link to other filters (or none) renders the fields afresh,
          where their default values would otherwise stay as they were. */}
      <form
        key={JSON.stringify({ ...values, before: undefined, after: undefined })}
        method="get"
        action="/audit"
        className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-4"
        aria-label="Filter the audit trail"
      >
        <div>
          <label htmlFor="action" className="block text-xs font-medium text-slate-700">
            Action
          </label>
          <select id="action" name="action" defaultValue={values.action ?? ""} className={field}>
            <option value="">Any action</option>
            {AUDIT_ACTION_NAMES.map((action) => (
              <option key={action} value={action}>
                {auditActionLabel(action)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="outcome" className="block text-xs font-medium text-slate-700">
            Outcome
          </label>
          <select id="outcome" name="outcome" defaultValue={values.outcome ?? ""} className={field}>
            <option value="">Allowed or refused</option>
            <option value="ALLOWED">Allowed</option>
            <option value="REFUSED">Refused</option>
          </select>
        </div>
        <div>
          <label htmlFor="actor" className="block text-xs font-medium text-slate-700">
            Actor name
          </label>
          <input
            id="actor"
            name="actor"
            defaultValue={values.actor}
            placeholder="3 characters or more"
            className={field}
          />
        </div>
        <div className="grid grid-cols-2 gap-2">
          <div>
            <label htmlFor="from" className="block text-xs font-medium text-slate-700">
              From
            </label>
            <input id="from" name="from" type="date" defaultValue={values.from} className={field} />
          </div>
          <div>
            <label htmlFor="to" className="block text-xs font-medium text-slate-700">
              To
            </label>
            <input id="to" name="to" type="date" defaultValue={values.to} className={field} />
          </div>
        </div>
        {values.userId ? <input type="hidden" name="userId" value={values.userId} /> : null}
        {values.caseId ? <input type="hidden" name="caseId" value={values.caseId} /> : null}
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 sm:col-span-4">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="reads"
              value="shown"
              defaultChecked={values.reads === "shown"}
            />
            Show reads of the trail (views, exports, verification requests)
          </label>
          {/* Only the parsed (UUID-checked) values build links: never the raw query string. */}
          {parsed.success && parsed.data.caseId ? (
            <span className="text-sm">
              Timeline of case{" "}
              <Link href={`/cases/${parsed.data.caseId}`} className="text-indigo-700 underline">
                <span className="font-mono text-xs">{parsed.data.caseId}</span>
              </Link>{" "}
              <Link
                href={link({ caseId: undefined })}
                className="text-slate-600 underline"
                aria-label="Stop filtering by this case"
              >
                (remove)
              </Link>
            </span>
          ) : null}
          {parsed.success && parsed.data.userId ? (
            <span className="text-sm">
              Events about{" "}
              <Link href={`/users/${parsed.data.userId}`} className="text-indigo-700 underline">
                {userNames.get(parsed.data.userId) ?? `user ${parsed.data.userId.slice(0, 8)}…`}
              </Link>{" "}
              <Link
                href={link({ userId: undefined })}
                className="text-slate-600 underline"
                aria-label="Stop filtering by this user"
              >
                (remove)
              </Link>
            </span>
          ) : null}
        </div>
        <div className="flex items-end gap-3 sm:col-span-4">
          <Button type="submit">Search</Button>
          {filtered || values.reads ? (
            <Link href="/audit" className="text-sm text-slate-600 underline">
              Clear filters
            </Link>
          ) : null}
        </div>
        {!parsed.success ? (
          <p role="alert" className="text-sm text-rose-700 sm:col-span-4">
            {parsed.error.issues.map((i) => i.message).join(" ")}
          </p>
        ) : null}
      </form>

      <p role="note" aria-label="Reads of the trail" className="text-sm text-slate-700">
        {readsHidden ? (
          <>
            Reads of the trail (views, exports, verification requests) are hidden
            {hiddenReads
              ? `: ${hiddenReads.count.toLocaleString("en")}${hiddenReads.atLeast ? "+" : ""} on this page`
              : ""}
            .{" "}
            <Link href={link({ reads: "shown" })} className="text-indigo-700 underline">
              Show reads
            </Link>
          </>
        ) : search.action ? (
          <>Showing every event of the chosen action.</>
        ) : (
          <>
            Showing reads of the trail too.{" "}
            <Link href={link({ reads: undefined })} className="text-indigo-700 underline">
              Hide reads
            </Link>
          </>
        )}
      </p>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Audit events, newest first</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-3 py-2">
                Position
              </th>
              <th scope="col" className="px-3 py-2">
                When (UTC)
              </th>
              <th scope="col" className="px-3 py-2">
                Action
              </th>
              <th scope="col" className="px-3 py-2">
                Outcome
              </th>
              <th scope="col" className="px-3 py-2">
                Actor
              </th>
              <th scope="col" className="px-3 py-2">
                About
              </th>
              <th scope="col" className="px-3 py-2">
                Details
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {events.map((event) => (
              <tr key={event.id} className={event.notInLog ? "bg-rose-50" : undefined}>
                <td className="px-3 py-2 font-mono text-xs">
                  {event.position ?? `v1 ${event.id}`}
                  {event.notInLog ? (
                    <span className="mt-1 block">
                      <Badge tone="bad">not part of the log: {event.notInLog}</Badge>
                    </span>
                  ) : null}
                </td>
                <td className="px-3 py-2 text-xs whitespace-nowrap">
                  {formatDateTime(event.createdAt)}
                </td>
                <td className="px-3 py-2 text-sm font-medium">{auditActionLabel(event.action)}</td>
                <td className="px-3 py-2">
                  <Badge tone={event.outcome === "ALLOWED" ? "good" : "bad"}>
                    {event.outcome === "ALLOWED" ? "allowed" : refusalLabel(event.reason)}
                  </Badge>
                </td>
                <td className="px-3 py-2 text-xs">
                  {event.actorName}
                  {event.actorRole ? ` (${event.actorRole.toLowerCase()})` : ""}
                </td>
                <td className="px-3 py-2 text-xs">
                  {auditSubjectLines(event, userNames).map((subject) => (
                    <span key={subject.label} className="block">
                      {subject.label}:{" "}
                      <Link href={subject.href!} className="text-indigo-700 underline">
                        {subject.value}
                      </Link>
                    </span>
                  ))}
                  {event.caseId ? (
                    <Link
                      href={link({ caseId: event.caseId, userId: undefined })}
                      className="block text-slate-600 underline"
                    >
                      case timeline
                    </Link>
                  ) : null}
                  {event.subjectUserId ? (
                    <Link
                      href={link({ userId: event.subjectUserId, caseId: undefined })}
                      className="block text-slate-600 underline"
                    >
                      user’s events
                    </Link>
                  ) : null}
                </td>
                <td className="max-w-md px-3 py-2 text-xs break-words text-slate-700">
                  <dl className="space-y-0.5">
                    {auditDetailLines(event.action, event.data).map((line, i) => (
                      <div key={i}>
                        <dt className="inline font-medium">{line.label}:</dt>{" "}
                        <dd className="inline whitespace-pre-line">{line.value}</dd>
                      </div>
                    ))}
                  </dl>
                  <details className="mt-1">
                    <summary className="cursor-pointer text-slate-500">Raw event</summary>
                    <pre className="mt-1 font-mono text-[11px] whitespace-pre-wrap text-slate-600">
                      {JSON.stringify(
                        { action: event.action, reason: event.reason, data: event.data },
                        null,
                        1,
                      )}
                    </pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {events.length === 0 ? (
          <p className="p-4 text-sm text-slate-600">No events match.</p>
        ) : null}
      </div>
      {newer || older ? (
        <nav aria-label="Pages" className="flex items-center justify-between gap-4 text-sm">
          <span className="flex gap-4">
            {newer ? (
              <>
                <Link href={link({})} className="text-indigo-700 hover:underline">
                  « Newest
                </Link>
                <Link href={link({ after: newer })} className="text-indigo-700 hover:underline">
                  ← Newer
                </Link>
              </>
            ) : null}
          </span>
          {older ? (
            <Link href={link({ before: older })} className="text-indigo-700 hover:underline">
              Older →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
