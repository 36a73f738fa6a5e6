import { formatDate } from "@/components/status-badge";
import { lastPasskeyWarning } from "@/lib/domain/account-changes";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { RECORDED_REVOCATION_REASON_LABELS } from "@/lib/domain/revocation";
import { isFreshlyVerified } from "@/lib/domain/self-service";
import type { resumeWorkforceSession } from "@/lib/server/resume-workforce-session";
import { ConfirmBeforeChange, PasskeyActions, SignOutEverywhere } from "./manage-passkeys";

type Session = NonNullable<Awaited<ReturnType<typeof resumeWorkforceSession>>>;
type Passkey = Session["user"]["passkeys"][number];

const model = (passkey: Passkey) => passkey.modelName ?? "Unknown authenticator";
const label = (passkey: Passkey) => passkey.nickname ?? model(passkey);

/**
 * The person's passkeys on /account (docs/decisions/036): the active ones, each with its name,
 * model, kind, when added and last used, and what they can do to it (only in a passkey session);
 * the removed and revoked ones apart, with when and why.
 */
export function YourPasskeys({ session }: { session: Session }) {
  const active = session.user.passkeys.filter((p) => p.status === "ACTIVE");
  const revoked = session.user.passkeys.filter((p) => p.status !== "ACTIVE");
  const manage = session.method === "passkey";
  const warning = lastPasskeyWarning(ACTIVE_POLICY, session.user.riskTier);
  const minutes = ACTIVE_POLICY.lifetimes.freshVerificationMinutes;
  const fresh = isFreshlyVerified(ACTIVE_POLICY, session.verifiedAt, new Date());
  return (
    <>
      <h2 className="font-semibold">Your passkeys</h2>
      <ul
        aria-label="Your active passkeys"
        className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm"
      >
        {active.length === 0 ? <li className="px-4 py-2 text-slate-600">None.</li> : null}
        {active.map((passkey) => (
          <li key={passkey.id} className="px-4 py-2" data-testid="active-passkey">
            <div className="flex flex-wrap justify-between gap-2">
              <span>
                <span className="font-medium">{label(passkey)}</span>
                {passkey.nickname ? ` · ${model(passkey)}` : ""} ·{" "}
                {passkey.backedUp ? "synced" : "device-bound"}
              </span>
              <span className="text-xs text-slate-600">
                added {formatDate(passkey.createdAt)} · last used{" "}
                {passkey.lastUsedAt ? formatDate(passkey.lastUsedAt) : "never"} · active
              </span>
            </div>
            {manage ? (
              <PasskeyActions
                passkey={{ id: passkey.id, label: label(passkey), nickname: passkey.nickname }}
                last={active.length === 1}
                warning={warning}
              />
            ) : null}
          </li>
        ))}
      </ul>
      {manage && !fresh && active.length > 0 ? <ConfirmBeforeChange minutes={minutes} /> : null}
      {manage && fresh ? (
        <p className="text-sm text-slate-700">
          You confirmed it&apos;s you: you can remove one passkey or report one device lost for a
          few minutes.
        </p>
      ) : null}
      {revoked.length > 0 ? (
        <>
          <h2 className="font-semibold">Removed and revoked passkeys</h2>
          <ul
            aria-label="Your removed and revoked passkeys"
            className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm text-slate-700"
          >
            {revoked.map((passkey) => (
              <li
                key={passkey.id}
                className="flex flex-wrap justify-between gap-2 px-4 py-2"
                data-testid="revoked-passkey"
              >
                <span>
                  {label(passkey)} · {passkey.backedUp ? "synced" : "device-bound"}
                </span>
                <span className="text-xs text-slate-600">
                  {passkey.revokedReason
                    ? `revoked (${RECORDED_REVOCATION_REASON_LABELS[passkey.revokedReason].toLowerCase()})`
                    : "removed by you"}
                  {passkey.revokedAt ? ` ${formatDate(passkey.revokedAt)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {manage ? (
        <>
          <h2 className="font-semibold">Sessions</h2>
          <SignOutEverywhere />
        </>
      ) : null}
    </>
  );
}
