import type { Metadata } from "next";
import { formatDateTime } from "@/components/status-badge";
import { TooManyTries } from "@/components/too-many-tries";
import { linkPageWait } from "@/lib/server/rate-limit";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { getManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { AnswerForm } from "./answer-form";

export const metadata: Metadata = { title: "Confirm a recovery request", referrer: "no-referrer" };

/** Opening the page never uses the link up (mail scanners open links); answering does. */
export default async function ConfirmPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const wait = await linkPageWait("confirm");
  if (wait !== null) return <TooManyTries seconds={wait} />;
  const request = /^[A-Za-z0-9_-]{43}$/.test(token) ? await getManagerConfirmation(token) : null;
  if (!request) {
    return (
      <section>
        <h1 className="text-xl font-semibold">This link is not valid any more</h1>
        <p className="mt-2 text-sm text-slate-600">
          It may have been answered, replaced by a newer request, or expired. Nothing more is needed
          from you.
        </p>
      </section>
    );
  }
  if (request.state === "answered") {
    const when = formatDateTime(request.answeredAt);
    return (
      <section>
        <h1 className="text-xl font-semibold">You answered this request</h1>
        {/* Page text, not a status: right after answering, the answer's own status is announced. */}
        <p id="recorded-answer" className="mt-2 text-sm text-slate-700">
          {request.answer === "confirmed"
            ? `You confirmed the request from ${request.userName} on ${when}; the service desk will continue.`
            : request.answer === "denied"
              ? `You denied the request from ${request.userName} on ${when}; the service desk will not continue it.`
              : `The request from ${request.userName} was answered on ${when}.`}
        </p>
        <p className="mt-2 text-sm text-slate-600">
          Nothing more is needed from you. If this answer is not what you meant, call the service
          desk.
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1 className="text-xl font-semibold">Did {request.userName} ask for account recovery?</h1>
      <p className="mt-2 text-sm text-slate-700">
        {request.userName} ({request.employeeId}) called the service desk:{" "}
        <strong>{CASE_REASON_LABELS[request.reason]}</strong>. As their manager, please confirm that
        the request comes from them. If you have not heard from them about it, deny it: attackers
        call help desks pretending to be employees.
      </p>
      <AnswerForm token={token} />
    </section>
  );
}
