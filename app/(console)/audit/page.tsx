import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { AUDIT_ACTION_NAMES, AuditSearchSchema } from "@/lib/domain/audit-search";
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
  const { events, nextBefore } = parsed.success
    ? await findAuditEvents({ actor: staff, search, request: await getRequestContext() })
    : { events: [], nextBefore: null };
  const integrity = await getAuditIntegrity({
    checkNow: parsed.success && parsed.data.verify === "1",
  });
  // Exports need a fresh step-up (decision 015); the route handler enforces it, this only asks first.
  const stepUp = await getStepUpView(staff.id, await getCurrentStaffSession());
  const link = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({
      ...search,
      verify: undefined,
      before: undefined,
      ...extra,
    }))
      if (v) params.set(k, String(v));
    return `/audit?${params}`;
  };

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
                href={link({ format: "jsonl" }).replace("/audit?", "/audit/export?")}
                className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium"
                download
              >
                Export JSON Lines
              </a>
              <a
                href={link({ format: "csv" }).replace("/audit?", "/audit/export?")}
                className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium"
                download
              >
                Export CSV
              </a>
              <a
                href={link({ format: "ocsf" }).replace("/audit?", "/audit/export?")}
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

      <form
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
                {action}
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
        <div className="flex items-end gap-3 sm:col-span-4">
          <Button type="submit">Search</Button>
          {values.caseId ? (
            <span className="text-sm">
              Timeline of case <span className="font-mono text-xs">{values.caseId}</span>
            </span>
          ) : null}
          {/* Only the parsed (UUID-checked) value builds a link: never the raw query string. */}
          {parsed.success && parsed.data.userId ? (
            <span className="text-sm">
              Events about user{" "}
              <Link href={`/users/${parsed.data.userId}`} className="text-indigo-700 underline">
                {parsed.data.userId.slice(0, 8)}…
              </Link>
            </span>
          ) : null}
          <Link href="/audit" className="text-sm text-slate-600 underline">
            Clear
          </Link>
        </div>
        {!parsed.success ? (
          <p role="alert" className="text-sm text-rose-700 sm:col-span-4">
            {parsed.error.issues.map((i) => i.message).join(" ")}
          </p>
        ) : null}
      </form>

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
                <td className="px-3 py-2 font-mono text-xs">{event.action}</td>
                <td className="px-3 py-2">
                  <Badge tone={event.outcome === "ALLOWED" ? "good" : "bad"}>
                    {event.outcome === "ALLOWED"
                      ? "allowed"
                      : `refused${event.reason ? `: ${event.reason}` : ""}`}
                  </Badge>
                </td>
                <td className="px-3 py-2 text-xs">
                  {event.actorName}
                  {event.actorRole ? ` (${event.actorRole.toLowerCase()})` : ""}
                </td>
                <td className="px-3 py-2 text-xs">
                  {event.caseId ? (
                    <Link
                      href={link({ caseId: event.caseId, userId: undefined })}
                      className="block text-indigo-700 underline"
                    >
                      case timeline
                    </Link>
                  ) : null}
                  {event.subjectUserId ? (
                    <Link
                      href={link({ userId: event.subjectUserId, caseId: undefined })}
                      className="block text-indigo-700 underline"
                    >
                      user’s events
                    </Link>
                  ) : null}
                </td>
                <td className="max-w-md px-3 py-2 font-mono text-xs break-words text-slate-600">
                  {JSON.stringify(event.data)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {events.length === 0 ? (
          <p className="p-4 text-sm text-slate-600">No events match.</p>
        ) : null}
      </div>
      {nextBefore ? (
        <nav aria-label="Pages" className="text-right text-sm">
          <Link
            href={`${link({})}&before=${nextBefore}`}
            className="text-indigo-700 hover:underline"
          >
            Older →
          </Link>
        </nav>
      ) : null}
    </div>
  );
}
