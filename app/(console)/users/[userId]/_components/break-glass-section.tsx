import { formatDateTime } from "@/components/status-badge";
import Link from "next/link";
import { getBreakGlass, pendingBreakGlassApprovals } from "@/lib/server/break-glass";
import { BreakGlassApproveForm, BreakGlassForm, BreakGlassTestForm } from "./break-glass-forms";

/** Security reviewers only (decision 039): whether this is a break-glass account, its tests and use. */
export async function BreakGlassSection({ userId }: { userId: string }) {
  const account = await getBreakGlass(userId);
  const waiting = account ? await pendingBreakGlassApprovals(userId) : [];
  return (
    <section
      aria-labelledby="break-glass"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-5"
    >
      <h2 id="break-glass" className="text-lg font-semibold">
        Break-glass
      </h2>
      {account ? (
        <p className="text-sm text-slate-700">
          A break-glass account since {formatDateTime(account.createdAt)} ({account.reason}). Any
          passkey sign-in alerts security unless a test is declared. Last tested:{" "}
          {account.lastTestAt ? formatDateTime(account.lastTestAt) : "never"}. Last used outside a
          test: {account.lastUsedAt ? formatDateTime(account.lastUsedAt) : "never"}.
          {account.testUntil && account.testUntil > new Date()
            ? ` A test is declared until ${formatDateTime(account.testUntil)}.`
            : ""}
        </p>
      ) : (
        <p className="text-sm text-slate-700">
          Not a break-glass account. Marking it makes every passkey sign-in alert security, and its
          recovery need two supervisors and a security reviewer.
        </p>
      )}
      {waiting.map((approval) => (
        <div key={approval.id} className="space-y-2 rounded-md border border-slate-200 p-3">
          <p className="text-sm text-slate-700">
            A re-enrolment waits for approval (
            <Link href={`/cases/${approval.caseId}`} className="text-indigo-700 hover:underline">
              read the case
            </Link>
            ): {approval.votes.length} of 3 approved; still needed:{" "}
            {approval.missing.join(" and ") || "nobody"}.
          </p>
          {approval.missing.some((m) => m.includes("security reviewer")) ? (
            <BreakGlassApproveForm userId={userId} approvalId={approval.id} />
          ) : null}
        </div>
      ))}
      <div className="grid gap-4 sm:grid-cols-2">
        <BreakGlassForm userId={userId} marked={Boolean(account)} />
        {account ? <BreakGlassTestForm userId={userId} /> : null}
      </div>
    </section>
  );
}
