import { passkeyLabel } from "@/lib/domain/authenticator-models";
import { BreakGlassSection } from "./_components/break-glass-section";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmploymentBadge, formatDate, formatDateTime, TierBadge } from "@/components/status-badge";
import { ScrollRegion } from "@/components/scroll-region";
import { Badge } from "@/components/ui/badge";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { can } from "@/lib/domain/roles";
import { revokeAllStops } from "@/lib/domain/revocation";
import { refusalGuidance } from "@/lib/domain/caller-guidance";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { getCaseOpening } from "@/lib/server/get-case-opening";
import { CallerGuidance } from "../../_components/caller-guidance";
import { isLeaver, WorkforceUserIdSchema } from "@/lib/domain/workforce";
import { getWorkforceUser } from "@/lib/server/get-workforce-user";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../../_components/step-up";
import { OpenCaseForm } from "./_components/open-case-form";
import { prefilledTicket } from "@/lib/domain/ticket-reference";
import { RecordChanges } from "./_components/record-changes";
import { RecoveryCodesSummary } from "./_components/recovery-codes-summary";
import { certificationRefusalFor } from "@/lib/server/practice/certification";
import { CASE_REASON_LABELS } from "@/lib/domain/case-vocabulary";
import { liveStamp } from "@/lib/server/live-stream";
import { LiveTopics } from "../../_components/live";
import { auditActionLabel, refusalLabel } from "@/lib/domain/audit-labels";
import {
  ChangeAccessForm,
  ClearHoldForm,
  RevokeAllForm,
  RevokeOneForm,
} from "./_components/revoke-forms";

export const metadata: Metadata = { title: "User" };

const REVOCATION_LABELS = {
  LOST: "lost",
  STOLEN: "stolen",
  LEAVER: "leaver",
  SUSPECTED_COMPROMISE: "suspected compromise",
  RETURNED: "security key returned",
} as const;

export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ userId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { userId } = await params;
  // An ITSM's link (/cases/new?ticket=…) lands here with its ticket for the open-case form.
  const ticket = prefilledTicket((await searchParams).ticket);
  const staff = await requirePermission("users:read", `/users/${encodeURIComponent(userId)}`);
  const id = WorkforceUserIdSchema.safeParse(userId);
  if (!id.success) notFound();
  const user = await getWorkforceUser(id.data);
  if (!user) notFound();
  const leaver = isLeaver(user, new Date());
  const active = user.passkeys.filter((passkey) => passkey.status === "ACTIVE").length;
  const mayRevoke = can(staff.role, "passkeys:revoke");
  const defaultReason = leaver ? "LEAVER" : "LOST";
  const mayChangeAccess = can(staff.role, "access:suspend");
  // Revoking, clearing a hold and changing access need a fresh step-up (decision 015).
  const gated =
    mayRevoke || mayChangeAccess || (user.holds.length > 0 && can(staff.role, "approvals:decide"));
  const stepUp = gated ? await getStepUpView(staff.id, await getCurrentStaffSession()) : null;
  const stamp = await liveStamp();
  const caseRows = [
    ...user.stillActive.openCases.map((kase) => ({ ...kase, open: true, closeReason: null })),
    ...user.recentCases.map((kase) => ({ ...kase, open: false, owner: null })),
  ];
  // Opening a case is blocked (a leaver, a hold, a repeat call refused): what to tell the caller.
  const opening = can(staff.role, "cases:work") ? await getCaseOpening(user.id) : null;
  // The certification gate (decision 032): an uncertified agent is told why, and offered no form.
  const notCertified = can(staff.role, "cases:work")
    ? await certificationRefusalFor(staff.id, user.riskTier)
    : null;

  return (
    <div className="space-y-8">
      <LiveTopics topics={[`user:${user.id}`]} stamp={stamp} />
      <div>
        <Link href="/users" className="text-sm text-indigo-700 hover:underline">
          ← Users
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{user.name}</h1>
          <TierBadge tier={user.riskTier} />
          <EmploymentBadge status={user.status} leavingOn={user.leavingOn} />
        </div>
        <p className="mt-1 text-sm text-slate-600">
          {user.title}, {user.department} · <span className="font-mono">{user.employeeId}</span>
        </p>
      </div>

      {stepUp ? <StepUpPanel {...stepUp} what="revoke passkeys or change access" /> : null}

      {leaver ? (
        <div
          role="status"
          className="rounded-md border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900"
        >
          <p className="font-medium">
            {user.status === "SUSPENDED"
              ? "This person is suspended."
              : `This person has left the organisation${user.leavingOn ? ` (${formatDate(user.leavingOn)})` : ""}.`}
          </p>
          <p className="mt-1">
            They cannot be recovered and cannot sign in with a passkey. Only revocation is offered.
          </p>
          <p className="mt-1">
            Still active:{" "}
            {[
              `${active} passkey${active === 1 ? "" : "s"}${active > 0 ? " (refused at sign-in, but not revoked)" : ""}`,
              `${user.stillActive.sessions} session${user.stillActive.sessions === 1 ? "" : "s"}`,
              `${user.stillActive.openCases.length} open case${user.stillActive.openCases.length === 1 ? "" : "s"}`,
              `${user.stillActive.passes} usable pass${user.stillActive.passes === 1 ? "" : "es"}`,
              `${user.stillActive.links} enrolment link${user.stillActive.links === 1 ? "" : "s"}`,
            ].join(" · ")}
            .{active > 0 ? " Revoke the passkeys with the reason “Leaver”." : ""}
          </p>
        </div>
      ) : null}

      {user.holds.length > 0 ? (
        <section
          aria-labelledby="holds"
          role="status"
          className="rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900"
        >
          <h2 id="holds" className="font-medium">
            Recovery on hold
          </h2>
          <ul className="mt-1 list-disc pl-5">
            {user.holds.map((hold) => (
              <li key={hold.id}>
                {hold.reason} · {formatDateTime(hold.createdAt)}
                {hold.case ? (
                  <>
                    {" "}
                    ·{" "}
                    <Link
                      href={`/cases/${hold.case.id}`}
                      className="text-indigo-700 hover:underline"
                    >
                      the case
                    </Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
          <p className="mt-1">
            No case can be opened until a supervisor of the team reviews the denial and clears the
            hold.
          </p>
          {can(staff.role, "approvals:decide") ? <ClearHoldForm userId={user.id} /> : null}
        </section>
      ) : null}

      <section
        aria-labelledby="record"
        className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 sm:grid-cols-3"
      >
        <h2 id="record" className="sr-only">
          HR record
        </h2>
        <div>
          <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
            Phone of record
          </p>
          <p className="mt-1 font-mono text-sm">{user.phoneOfRecord}</p>
          <p className="mt-1 text-xs text-slate-500">
            From HR. Call back on this number, never on one the caller gives.
          </p>
        </div>
        <div>
          <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Manager</p>
          {user.manager ? (
            <p className="mt-1 text-sm">
              <Link href={`/users/${user.manager.id}`} className="text-indigo-700 hover:underline">
                {user.manager.name}
              </Link>
              <span className="block text-xs text-slate-500">{user.manager.title}</span>
            </p>
          ) : (
            <p className="mt-1 text-sm text-slate-500">None on record</p>
          )}
        </div>
        <div>
          <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
            Email addresses
          </p>
          <ul className="mt-1 space-y-1 text-sm">
            {user.emails.map((email) => (
              <li key={email.address}>
                {email.address}{" "}
                <span className="text-xs text-slate-500">
                  ({email.kind}
                  {email.isPrimary ? ", primary" : ""}
                  {email.verified ? ", verified" : ", unverified"})
                </span>
              </li>
            ))}
          </ul>
        </div>
      </section>

      <RecordChanges userId={user.id} now={new Date()} />

      <section aria-labelledby="passkeys" className="space-y-3">
        <div className="flex items-baseline justify-between">
          <h2 id="passkeys" className="text-lg font-semibold">
            Passkeys
          </h2>
          <p className="text-sm text-slate-600">
            {active} active of {user.passkeys.length}
          </p>
        </div>
        {mayRevoke ? (
          <div className="rounded-md border border-rose-200 bg-rose-50 p-3">
            <p className="mb-2 text-sm text-rose-900">
              Stolen device or suspected attack? Revoke everything at once: no approval needed.
              Passes, links and approvals are voided and the user is signed out.
            </p>
            <RevokeAllForm
              userId={user.id}
              userName={user.name}
              defaultReason={leaver ? "LEAVER" : "STOLEN"}
              preview={{
                passkeys: user.passkeys
                  .filter((passkey) => passkey.status === "ACTIVE")
                  .map((passkey) => ({
                    id: passkey.id,
                    label: `${passkeyLabel(passkey)} (${passkey.backedUp ? "synced" : "device-bound"}, last used ${passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : "never"})`,
                  })),
                alsoStops: revokeAllStops({
                  ...user.stillActive,
                  enrolmentLinks: user.stillActive.links,
                }),
              }}
            />
          </div>
        ) : null}
        {user.passkeys.length === 0 ? (
          <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
            No passkeys enrolled.
          </p>
        ) : (
          <ScrollRegion
            label="Passkeys table"
            className="rounded-lg border border-slate-200 bg-white"
          >
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Passkeys of {user.name}</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2">
                    Model
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Kind
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Created
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Last used
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Status
                  </th>
                  {mayRevoke ? (
                    <th scope="col" className="px-4 py-2">
                      <span className="sr-only">Revoke</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {user.passkeys.map((passkey) => (
                  <tr
                    key={passkey.id}
                    className={passkey.status === "REVOKED" ? "text-slate-500" : undefined}
                  >
                    <td className="px-4 py-2">
                      <span className="font-medium">
                        {passkey.modelName ?? "Unknown authenticator"}
                      </span>
                      {passkey.nickname ? (
                        <span className="block text-xs text-slate-600">
                          Named by its owner: “{passkey.nickname}”
                        </span>
                      ) : null}
                      <span className="block font-mono text-xs text-slate-500">
                        {passkey.transports.join(", ") || "no transports reported"}
                      </span>
                    </td>
                    <td className="px-4 py-2">{passkey.backedUp ? "Synced" : "Device-bound"}</td>
                    <td className="px-4 py-2">{formatDate(passkey.createdAt)}</td>
                    <td className="px-4 py-2">
                      {passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : "Never"}
                    </td>
                    <td className="px-4 py-2">
                      {passkey.status === "ACTIVE" ? (
                        <Badge tone="good">Active</Badge>
                      ) : (
                        <Badge tone="bad">
                          Revoked
                          {passkey.revokedReason
                            ? ` (${REVOCATION_LABELS[passkey.revokedReason]})`
                            : ""}
                          {passkey.revokedAt ? ` ${formatDate(passkey.revokedAt)}` : ""}
                        </Badge>
                      )}
                    </td>
                    {mayRevoke ? (
                      <td className="px-4 py-2">
                        {passkey.status === "ACTIVE" ? (
                          <RevokeOneForm
                            userId={user.id}
                            passkeyId={passkey.id}
                            model={passkeyLabel(passkey)}
                            defaultReason={defaultReason}
                          />
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </section>

      <RecoveryCodesSummary userId={user.id} />

      <section aria-labelledby="cases" className="space-y-2">
        <h2 id="cases" className="text-lg font-semibold">
          Cases
        </h2>
        {caseRows.length === 0 ? (
          <p className="text-sm text-slate-600">No recovery cases.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
            {caseRows.map((kase) => (
              <li key={kase.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2">
                <Link
                  href={`/cases/${kase.id}`}
                  className="font-medium text-indigo-700 hover:underline"
                >
                  {CASE_REASON_LABELS[kase.reason]}
                </Link>
                <Badge tone={kase.open ? "warn" : "neutral"}>
                  {kase.open ? "open" : "closed"}: {kase.status.toLowerCase().replace(/_/g, " ")}
                </Badge>
                <span className="text-xs text-slate-600">
                  {[
                    kase.team ?? "no team",
                    `opened ${formatDateTime(kase.createdAt)}`,
                    kase.open ? (kase.owner ? `${kase.owner.name} has it` : "nobody has it") : null,
                    kase.ticketRef,
                    kase.closeReason,
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {can(staff.role, "cases:work") ? (
        <section
          aria-labelledby="recovery"
          className="rounded-lg border border-slate-200 bg-white p-5"
        >
          <h2 id="recovery" className="text-lg font-semibold">
            Recovery
          </h2>
          {opening ? (
            <div className="mt-2">
              <CallerGuidance
                guidance={refusalGuidance({
                  refusal: opening.refusal,
                  refusedAt: opening.refusedAt,
                  policy: ACTIVE_POLICY,
                  team: staff.team,
                  viewer: {
                    role: staff.role,
                    worksCase: true,
                    workedCase: false,
                    canHandOver: false,
                  },
                })}
                userId={user.id}
                onUserPage
              />
            </div>
          ) : null}
          {leaver ? (
            <p className="mt-1 text-sm text-slate-600">
              No recovery for someone who left or is suspended. Revoke their passkeys above.
            </p>
          ) : user.holds.length > 0 ? (
            <p className="mt-1 text-sm text-slate-600">
              On hold after a denial: a supervisor must clear the hold first.
            </p>
          ) : !staff.team ? (
            <p className="mt-1 text-sm text-slate-600">
              Your account has no team, so you cannot open cases. Ask your identity team to set your
              team.
            </p>
          ) : notCertified ? (
            <p role="note" data-testid="not-certified" className="mt-1 text-sm text-amber-900">
              {notCertified.message}
            </p>
          ) : (
            <>
              <p className="mt-1 text-sm text-slate-600">
                Opening a case picks the verification script for this person’s tier; the case
                belongs to {staff.team}. They are told at every address of record.
              </p>
              <OpenCaseForm
                userId={user.id}
                ticket={ticket}
                openCases={user.stillActive.openCases.map((kase) => ({
                  id: kase.id,
                  label: `the ${CASE_REASON_LABELS[kase.reason].toLowerCase()} case of ${kase.team ?? "no team"} opened ${formatDateTime(kase.createdAt)} (${kase.owner ? `${kase.owner.name} has it` : "nobody has it"})`,
                }))}
              />
            </>
          )}
        </section>
      ) : null}

      {mayChangeAccess && (user.status === "SUSPENDED" || !leaver) ? (
        <section
          aria-labelledby="access"
          className="rounded-lg border border-slate-200 bg-white p-5"
        >
          <h2 id="access" className="text-lg font-semibold">
            Access
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            {user.status === "SUSPENDED"
              ? "Suspended: sign-in refuses their passkeys and nothing can be recovered. Lift the suspension once the investigation clears them."
              : "Suspected compromise or an investigation? Suspending ends every session at once, closes open cases, voids what recovery issued and refuses their passkeys until lifted. Leaving is HR's to record."}
          </p>
          <ChangeAccessForm
            userId={user.id}
            status={user.status === "SUSPENDED" ? "ACTIVE" : "SUSPENDED"}
          />
        </section>
      ) : null}

      {/* Break-glass accounts (decision 039): security reviewers only. */}
      {can(staff.role, "breakglass:manage") ? <BreakGlassSection userId={user.id} /> : null}

      <section aria-labelledby="events" className="space-y-3">
        <div className="flex items-baseline justify-between">
          <h2 id="events" className="text-lg font-semibold">
            Recent audit events
          </h2>
          {can(staff.role, "audit:read") ? (
            <Link
              href={`/audit?userId=${user.id}`}
              className="text-sm text-indigo-700 hover:underline"
            >
              All events about this user →
            </Link>
          ) : null}
        </div>
        {user.recentEvents.length === 0 ? (
          <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
            No recorded decisions about this user yet.
          </p>
        ) : (
          <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {user.recentEvents.map((event) => (
              <li
                key={event.id}
                className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm"
              >
                <span>
                  <span className="font-medium">{auditActionLabel(event.action)}</span>{" "}
                  <Badge tone={event.outcome === "ALLOWED" ? "good" : "bad"}>
                    {event.outcome === "ALLOWED" ? "allowed" : refusalLabel(event.reason)}
                  </Badge>
                  {event.detail ? (
                    <span className="ml-2 text-xs text-slate-600">{event.detail}</span>
                  ) : null}
                </span>
                <span className="text-xs text-slate-500">
                  {event.actorName}
                  {event.actorRole ? ` (${event.actorRole.toLowerCase()})` : ""} ·{" "}
                  {formatDateTime(event.createdAt)}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
