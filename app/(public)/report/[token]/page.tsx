import type { Metadata } from "next";
import { TooManyTries } from "@/components/too-many-tries";
import { linkPageWait } from "@/lib/server/rate-limit";
import { formatDateTime } from "@/components/status-badge";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { getRepudiation } from "@/lib/server/repudiate-recovery";
import { ReportForm } from "./report-form";

export const metadata: Metadata = { title: "This wasn't me", referrer: "no-referrer" };

/** Opening the page changes nothing (mail scanners open links); the button does. */
export default async function ReportPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const wait = await linkPageWait("report");
  if (wait !== null) return <TooManyTries seconds={wait} />;
  const recovery = /^[A-Za-z0-9_-]{43}$/.test(token) ? await getRepudiation(token) : null;
  if (!recovery) {
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
      <h1 className="text-xl font-semibold">Wasn’t this you, {recovery.name}?</h1>
      <p className="mt-2 text-sm text-slate-700">
        The service desk opened a recovery for your account on {formatDateTime(recovery.openedAt)} (
        {CASE_REASON_LABELS[recovery.reason].toLowerCase()}). If you did not ask for it, cancel it
        now: any pass is voided, passkeys added since are removed, and security is alerted.
      </p>
      <ReportForm token={token} />
    </section>
  );
}
