import type { Metadata } from "next";
import { formatDateTime } from "@/components/status-badge";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../_components/step-up";
import { listReceivers } from "@/lib/server/ssf/tokens";
import { IssueReceiverForm, RevokeReceiverForm } from "./_components/forms";

export const metadata: Metadata = { title: "Shared Signals receivers" };

/**
 * Security reviewers issue and revoke the bearer tokens with which applications subscribe to the
 * console's Shared Signals (docs/decisions/034): each receiver, its streams and their state.
 */
export default async function SsfReceiversPage() {
  const staff = await requirePermission("ssf:manage", "/ssf-receivers");
  const receivers = await listReceivers();
  const stepUp = await getStepUpView(staff.id, await getCurrentStaffSession());
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Shared Signals receivers</h1>
        <p className="mt-1 text-sm text-slate-600">
          Applications that subscribe to revocations, disabled accounts, stolen devices and
          recoveries. Each gets a token to manage its streams at /ssf/streams; the token is shown
          once.
        </p>
      </div>
      <StepUpPanel {...stepUp} what="issue or revoke a receiver token" />
      <IssueReceiverForm />
      {receivers.length === 0 ? (
        <p className="text-sm" role="status">
          No receivers yet.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {receivers.map((receiver) => (
            <li key={receiver.id} className="flex flex-wrap items-center gap-4 px-3 py-2 text-sm">
              <span className="font-medium">{receiver.name}</span>
              <span className="text-slate-600">
                Issued {formatDateTime(receiver.createdAt)}
                {receiver.revokedAt ? ` · revoked ${formatDateTime(receiver.revokedAt)}` : ""}
              </span>
              <span className="text-slate-600">
                {receiver.streams.length === 0
                  ? "No stream"
                  : receiver.streams
                      .map(
                        (s) =>
                          `${s.deliveryMethod} ${s.status}${s.lastError ? ` (failing: ${s.lastError})` : ""}`,
                      )
                      .join("; ")}
              </span>
              {receiver.revokedAt ? null : (
                <RevokeReceiverForm receiverId={receiver.id} name={receiver.name} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
