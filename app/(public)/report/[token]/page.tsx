import type { Metadata } from "next";
import { TooManyTries } from "@/components/too-many-tries";
import { linkPageWait } from "@/lib/server/rate-limit";
import { formatDateTime } from "@/components/status-badge";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { ACCOUNT_CHANGE_LABELS } from "@/lib/domain/account-changes";
import { getRepudiation } from "@/lib/server/repudiate-recovery";
import { ReportForm } from "./report-form";

export const metadata: Metadata = { title: "This wasn't me", referrer: "no-referrer" };

/** Opening the page changes nothing (mail scanners open links); the button does. */
export default async function ReportPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const wait = await linkPageWait("report");
  if (wait !== null) return <TooManyTries seconds={wait} />;
  const report = /^[A-Za-z0-9_-]{43}$/.test(token) ? await getRepudiation(token) : null;
  if (!report) {
    return (
      <section>
        <h1 className="text-xl font-semibold">This link is not valid any more</h1>
        <p className="mt-2 text-sm text-slate-600">
          If you think someone is trying to get into your account, call the service desk.
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1 className="text-xl font-semibold">Wasn’t this you, {report.name}?</h1>
      {report.kind === "case" ? (
        <p className="mt-2 text-sm text-slate-700">
          The service desk opened a recovery for your account on {formatDateTime(report.openedAt)} (
          {CASE_REASON_LABELS[report.reason].toLowerCase()}). If you did not ask for it, cancel it
          now: any pass is voided, passkeys added since are removed, and security is alerted.
        </p>
      ) : report.kind === "change" ? (
        <p className="mt-2 text-sm text-slate-700">
          Someone signed in to your account with one of your passkeys made this change on{" "}
          {formatDateTime(report.at)}: {ACCOUNT_CHANGE_LABELS[report.change].toLowerCase()}
          {report.model ? ` (${report.model})` : ""}. If it was not you, report it now: you are
          signed out everywhere, nothing more can be added or recovered on your account until the
          service desk has reviewed it, and security is alerted.
        </p>
      ) : (
        <p className="mt-2 text-sm text-slate-700">
          A passkey ({report.model}, {report.backedUp ? "synced" : "device-bound"}) was added to
          your account on {formatDateTime(report.addedAt)} by someone signed in with one of your
          passkeys. If it was not you, report it now: that passkey is removed, you are signed out
          everywhere, no recovery of your account goes ahead until the service desk has reviewed it,
          and security is alerted.
        </p>
      )}
      <ReportForm token={token} kind={report.kind} />
    </section>
  );
}
