import type { Metadata } from "next";
import Link from "next/link";
import { formatDate, formatDateTime } from "@/components/status-badge";
import { getCurrentStaffSession, requireStaff } from "@/lib/auth/session";
import { safeCallbackPath } from "@/lib/domain/safe-redirect";
import { mayManageStaffPasskeys, STEP_UP_WINDOW } from "@/lib/domain/step-up";
import { env, stepUpWindowMs } from "@/lib/env";
import { hasEverHadStaffPasskey, listStaffPasskeys } from "@/lib/server/staff-passkeys";
import { stepUpStatus } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../_components/step-up";
import { AddStaffPasskey, RemoveStaffPasskeyForm } from "./_components/staff-passkey-forms";

export const metadata: Metadata = { title: "Your passkeys" };

/**
 * A staff member's own passkeys (decision 015): they confirm it's them before high-risk acts.
 * Adding one needs a fresh step-up, or, for the first, a fresh sign-in; the server decides again.
 */
export default async function StaffPasskeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requireStaff("/passkeys");
  const params = await searchParams;
  const back = typeof params.next === "string" ? safeCallbackPath(params.next, "") : "";
  const [session, passkeys, everHadPasskey] = await Promise.all([
    getCurrentStaffSession(),
    listStaffPasskeys(staff.id),
    hasEverHadStaffPasskey(staff.id),
  ]);
  const now = new Date();
  const status = stepUpStatus(session, now);
  const minutes = env.STEP_UP_WINDOW_MINUTES ?? STEP_UP_WINDOW.defaultMinutes;
  const rule = (act: "add" | "remove") =>
    session
      ? mayManageStaffPasskeys({
          act,
          activePasskeys: passkeys.length,
          everHadPasskey,
          verifiedAt: session.verifiedAt,
          sessionStartedAt: session.createdAt,
          now,
          windowMs: stepUpWindowMs,
        }).ok
      : false;
  const mayAdd = rule("add");
  const mayRemove = rule("remove");

  return (
    <section className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Your passkeys</h1>
        <p className="mt-1 text-sm text-slate-600">
          Before a high-risk act (deciding an approval, revoking passkeys, exporting the audit
          trail, handing a case over, changing someone&apos;s access) the console asks you to
          confirm it&apos;s you with one of these. A confirmation lasts {minutes} minutes. They are
          yours alone: they never sign anyone in to the workforce account pages.
        </p>
        {back ? (
          <p className="mt-2 text-sm">
            <Link href={back} className="text-indigo-700 hover:underline">
              ← Back to where you were
            </Link>
          </p>
        ) : null}
      </div>

      {passkeys.length > 0 ? (
        <StepUpPanel
          fresh={status.fresh}
          until={status.until?.toISOString() ?? null}
          hasPasskey
          what="do high-risk acts"
        />
      ) : null}

      <section aria-labelledby="yours" className="space-y-3">
        <h2 id="yours" className="text-lg font-semibold">
          Staff passkeys
        </h2>
        {passkeys.length === 0 ? (
          <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
            You have none yet.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {passkeys.map((passkey) => (
              <li
                key={passkey.id}
                className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm"
              >
                <span>
                  <span className="font-medium">{passkey.model}</span>{" "}
                  <span className="text-slate-600">
                    · {passkey.backedUp ? "synced" : "device-bound"} · added{" "}
                    {formatDate(passkey.createdAt)} · last used{" "}
                    {passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : "never"}
                  </span>
                </span>
                {mayRemove ? (
                  <RemoveStaffPasskeyForm passkeyId={passkey.id} model={passkey.model} />
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {passkeys.length > 0 && !mayRemove ? (
          <p className="text-xs text-slate-500">
            To remove one, confirm it&apos;s you first. Lost the device? Sign out and in again: for{" "}
            {minutes} minutes after signing in you can remove it and set up a new one.
          </p>
        ) : null}
      </section>

      <section
        aria-labelledby="add"
        className="space-y-2 rounded-lg border border-slate-200 bg-white p-5"
      >
        <h2 id="add" className="text-lg font-semibold">
          Add a passkey
        </h2>
        {mayAdd ? (
          <>
            <p className="text-sm text-slate-600">
              Use this device&apos;s screen lock or a security key. Your device asks for your
              fingerprint, face or PIN: that is what makes it count.
            </p>
            <AddStaffPasskey />
          </>
        ) : passkeys.length > 0 ? (
          <p className="text-sm text-slate-600">
            You already have a passkey: confirm it&apos;s you with it first, so that nobody who got
            hold of your session can add their own.
          </p>
        ) : (
          <p className="text-sm text-slate-600">
            Your first passkey can be set up only within {minutes} minutes of signing in. Sign out,
            sign in again, and come straight here.
          </p>
        )}
      </section>
    </section>
  );
}
