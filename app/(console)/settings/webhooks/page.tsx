import type { Metadata } from "next";
import Link from "next/link";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../../_components/step-up";
import { formatDateTime } from "@/components/status-badge";
import { CASE_WEBHOOK_EVENTS } from "@/lib/domain/case-webhooks";
import { findWebhookEndpoints } from "@/lib/server/webhooks/manage";
import {
  AddEndpointForm,
  DisableEndpointForm,
  ResendForm,
  RotateSecretForm,
} from "./_components/endpoint-forms";

export const metadata: Metadata = { title: "Ticket webhooks" };

/**
 * The ITSM's webhook endpoints and their delivery log (docs/decisions/035), for security
 * reviewers: add one (its secret is shown once), disable one, and read each attempt.
 */
export default async function WebhooksPage() {
  const staff = await requirePermission("webhooks:manage", "/settings/webhooks");
  const endpoints = await findWebhookEndpoints();
  const stepUp = await getStepUpView(staff.id, await getCurrentStaffSession());
  const now = new Date();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Ticket webhooks</h1>
      <p className="max-w-prose text-sm text-slate-700">
        The console posts case events ({CASE_WEBHOOK_EVENTS.join(", ")}) to the desk&apos;s ITSM,
        with the case&apos;s ticket reference and the person&apos;s employee ID, signed with
        HMAC-SHA256 over <code>timestamp.body</code> (headers <code>X-Console-Timestamp</code> and{" "}
        <code>X-Console-Signature</code>). The receiver should refuse a timestamp more than 5
        minutes from its clock (every attempt is signed when it is sent) and drop an{" "}
        <code>Idempotency-Key</code> it has seen: a failed delivery is retried with backoff, at
        least once. Practice calls are never sent.
      </p>
      <p className="max-w-prose text-sm text-slate-700">
        After a secret is rotated, the signature header carries two signatures, comma-separated, for
        a day: the receiver accepts a request if either is the one its secret gives. An event given
        up on can be sent again once the receiver is fixed; it then arrives after later events, with
        its own time in <code>occurredAt</code>.
      </p>
      <StepUpPanel {...stepUp} what="add or disable an endpoint, or rotate its secret" />
      <section
        aria-labelledby="add"
        className="max-w-md rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="add" className="mb-2 text-sm font-semibold">
          Add an endpoint
        </h2>
        <AddEndpointForm />
      </section>
      {endpoints.length === 0 ? <p className="text-sm text-slate-600">No endpoints yet.</p> : null}
      {endpoints.map((endpoint) => (
        <section
          key={endpoint.id}
          aria-labelledby={`endpoint-${endpoint.id}`}
          className="space-y-2 rounded-lg border border-slate-200 bg-white p-4"
        >
          <div className="flex flex-wrap items-baseline justify-between gap-3">
            <h2 id={`endpoint-${endpoint.id}`} className="text-sm font-semibold">
              {endpoint.name}{" "}
              <span className="font-mono text-xs font-normal text-slate-600">{endpoint.url}</span>
            </h2>
            {endpoint.enabled ? (
              <DisableEndpointForm endpointId={endpoint.id} name={endpoint.name} />
            ) : (
              <span className="text-xs text-slate-600">Disabled</span>
            )}
          </div>
          <p className="text-xs text-slate-600">
            {endpoint.secretRotatedAt
              ? `Secret rotated ${formatDateTime(endpoint.secretRotatedAt)}${
                  endpoint.previousSecretUntil && endpoint.previousSecretUntil > now
                    ? `; the old one signs beside it until ${formatDateTime(endpoint.previousSecretUntil)}`
                    : ""
                } · `
              : ""}
            Last success:{" "}
            {endpoint.lastSuccessAt ? formatDateTime(endpoint.lastSuccessAt) : "never"}
            {endpoint.lastError ? ` · Last error: ${endpoint.lastError}` : ""}
            {endpoint.attempts > 0
              ? ` · Retrying (attempt ${endpoint.attempts + 1} at ${formatDateTime(endpoint.nextAttemptAt)})`
              : ""}
          </p>
          {endpoint.enabled ? (
            <details className="text-sm">
              <summary className="cursor-pointer text-xs font-medium text-slate-700">
                Rotate the signing secret
              </summary>
              <div className="mt-2 max-w-md">
                <RotateSecretForm endpointId={endpoint.id} name={endpoint.name} />
              </div>
            </details>
          ) : null}
          {endpoint.deliveries.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing sent yet.</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="text-sm" aria-label={`Delivery log of ${endpoint.name}`}>
                <thead>
                  <tr className="text-left text-xs text-slate-600">
                    <th className="pr-4 font-medium">When</th>
                    <th className="pr-4 font-medium">Event</th>
                    <th className="pr-4 font-medium">Case</th>
                    <th className="pr-4 font-medium">Attempt</th>
                    <th className="pr-4 font-medium">Status</th>
                    <th className="pr-4 font-medium">Error</th>
                    <th className="font-medium">
                      <span className="sr-only">Send again</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {endpoint.deliveries.map((d) => (
                    <tr key={d.id}>
                      <td className="pr-4 text-xs whitespace-nowrap">
                        {formatDateTime(d.createdAt)}
                      </td>
                      <td className="pr-4 font-mono text-xs">{d.eventType}</td>
                      <td className="pr-4 text-xs">
                        {d.caseId ? (
                          <Link
                            href={`/cases/${d.caseId}`}
                            className="text-indigo-700 hover:underline"
                          >
                            Case
                          </Link>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td className="pr-4 text-xs">{d.attempt}</td>
                      <td className="pr-4 text-xs">
                        {d.ok ? "delivered" : d.gaveUp ? "given up" : "failed"}
                        {d.httpStatus !== null ? ` (HTTP ${d.httpStatus})` : ""}
                        {d.resend ? " · sent again on request" : ""}
                      </td>
                      <td className="pr-4 text-xs">{d.error ?? ""}</td>
                      <td className="text-xs">
                        {d.resentAt ? (
                          `Sent again ${formatDateTime(d.resentAt)}`
                        ) : d.resendRequestedAt ? (
                          "Waiting to be sent again"
                        ) : d.gaveUp && endpoint.enabled ? (
                          <ResendForm
                            deliveryId={d.id}
                            what={`${d.eventType} of ${formatDateTime(d.createdAt)}`}
                          />
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </div>
  );
}
