import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { isOpenCase } from "@/lib/domain/case-state";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { findCases } from "@/lib/server/find-cases";

export const metadata: Metadata = { title: "Cases" };

export default async function CasesPage() {
  const staff = await requirePermission("cases:read", "/cases");
  const cases = await findCases({ viewer: staff });
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Cases</h1>
        <p className="mt-1 text-sm text-slate-600">
          {staff.role === "SECURITY"
            ? "Every team’s cases."
            : staff.team
              ? `${staff.team}’s cases.`
              : "Your account has no team, so there are no cases to show. Ask your identity team to set your team."}{" "}
          Open a case from the caller’s page in Users. Open cases come first.
        </p>
      </div>
      {cases.length === 0 ? (
        <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
          No cases yet.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Recovery cases</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Caller
                </th>
                <th scope="col" className="px-4 py-2">
                  Reason
                </th>
                <th scope="col" className="px-4 py-2">
                  Tier
                </th>
                <th scope="col" className="px-4 py-2">
                  Status
                </th>
                <th scope="col" className="px-4 py-2">
                  Opened
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
                    <span className="block font-mono text-xs text-slate-500">
                      {kase.user.employeeId}
                    </span>
                  </td>
                  <td className="px-4 py-2">{CASE_REASON_LABELS[kase.reason]}</td>
                  <td className="px-4 py-2">
                    <TierBadge tier={kase.riskTier} />
                  </td>
                  <td className="px-4 py-2">
                    <Badge tone={isOpenCase(kase.status) ? "info" : "neutral"}>
                      {kase.status.replace(/_/g, " ").toLowerCase()}
                    </Badge>
                    {kase.needsApproval ? (
                      <span className="ml-1">
                        <Badge tone="warn">supervisor</Badge>
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2 text-xs text-slate-600">
                    {formatDateTime(kase.createdAt)} by {kase.agent.name}
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
