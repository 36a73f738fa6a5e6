import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { formatDate, formatDateTime } from "@/components/status-badge";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { isFreshlyVerified } from "@/lib/domain/self-service";
import { secureCookies } from "@/lib/env";
import { resumeWorkforceSession } from "@/lib/server/resume-workforce-session";
import { findRecoveryEvents } from "@/lib/server/find-recovery-events";
import { signOutAccountAction } from "./actions";
import { AddPasskey } from "./add-passkey";
import { EnrolPasskey } from "./enrol-passkey";
import { PasskeySignIn } from "./passkey-sign-in";
import { YourPasskeys } from "./your-passkeys";
import { getAccountRecoveryCodes } from "@/lib/server/recovery-codes";
import { MarkPasskeysLost } from "./mark-lost";
import { RecoveryCodes } from "./recovery-codes";

export const metadata: Metadata = { title: "Your account" };

/** Recovery codes for a passkey session: allowed for the tier? made? (docs/decisions/037) */
async function AccountRecoveryCodes({ userId }: { userId: string }) {
  const { allowed, summary } = await getAccountRecoveryCodes(userId);
  return (
    <RecoveryCodes
      allowed={allowed}
      summary={summary ? { ...summary, createdAt: summary.createdAt.toISOString() } : null}
    />
  );
}

export default async function AccountPage() {
  const token = (await cookies()).get(workforceSessionCookie(secureCookies).name)?.value;
  const session = token ? await resumeWorkforceSession(token) : null;
  if (!session) {
    return (
      <section>
        <h1 className="text-xl font-semibold">Sign in to your account</h1>
        <p className="mt-2 text-sm text-slate-600">Use a passkey on this device, or one nearby.</p>
        <PasskeySignIn />
        <p className="mt-6 text-sm text-slate-600">
          Lost your devices? Call the service desk. If they sent you a temporary access pass,{" "}
          <Link href="/redeem" className="text-indigo-700 underline">
            use it here
          </Link>
          .
        </p>
        <p className="mt-2 text-sm text-slate-600">
          Saved recovery codes?{" "}
          <Link href="/recover-with-code" className="text-indigo-700 underline">
            Use one here
          </Link>
          .
        </p>
      </section>
    );
  }
  const events = await findRecoveryEvents(session.user.id);
  return (
    <section className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold">Hello, {session.user.name}</h1>
        <form action={signOutAccountAction}>
          <button type="submit" className="text-sm text-slate-700 underline">
            Sign out
          </button>
        </form>
      </div>
      {session.method === "tap" ? (
        <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-900">
          You are signed in with a temporary access pass until {formatDateTime(session.expiresAt)}.
          It lets you set up one new passkey on this device; your device will ask for your
          fingerprint, face or PIN. Then sign in with the new passkey.
        </p>
      ) : null}
      {/* A pass sets up one passkey, then its session ends: keep the result on screen rather than re-render. */}
      {session.method === "tap" ? <EnrolPasskey refreshAfter={false} /> : null}
      {/* Signed in with a passkey: one more per fresh user verification (docs/decisions/016). */}
      {session.method === "passkey" ? (
        <AddPasskey
          fresh={isFreshlyVerified(ACTIVE_POLICY, session.verifiedAt, new Date())}
          minutes={ACTIVE_POLICY.lifetimes.freshVerificationMinutes}
        />
      ) : null}
      {/* Recovery codes (docs/decisions/037): a code's session enrols one passkey, marks lost ones. */}
      {session.method === "code" ? (
        <>
          <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-900">
            You are signed in with a recovery code until {formatDateTime(session.expiresAt)}. It
            lets you set up one new passkey on this device; your device will ask for your
            fingerprint, face or PIN. Then sign in with the new passkey.
          </p>
          <EnrolPasskey refreshAfter={false} />
          <MarkPasskeysLost
            passkeys={session.user.passkeys
              .filter((passkey) => passkey.status === "ACTIVE")
              .map((passkey) => ({
                id: passkey.id,
                label: `${passkey.modelName ?? "Unknown authenticator"}, added ${formatDate(passkey.createdAt)}`,
              }))}
          />
        </>
      ) : null}
      {session.method === "passkey" ? <AccountRecoveryCodes userId={session.user.id} /> : null}
      <YourPasskeys session={session} />
      <h2 className="font-semibold">Recent recovery events</h2>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
        {events.length === 0 ? <li className="px-4 py-2 text-slate-600">None.</li> : null}
        {events.map((event) => (
          <li key={event.id} className="flex justify-between px-4 py-2">
            <span>{event.label}</span>
            <span className="text-xs text-slate-500">{formatDateTime(event.createdAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
