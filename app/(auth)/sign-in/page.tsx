import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentStaff } from "@/lib/auth/session";
import { safeCallbackPath } from "@/lib/domain/safe-redirect";
import { demoSignInEnabled, env, oidcConfigured } from "@/lib/env";
import { findDemoStaff } from "@/lib/server/find-demo-staff";
import { DemoSignIn } from "./_components/demo-sign-in";
import { SsoButton } from "./_components/sso-button";
import { MAIN_ID } from "@/components/skip-link";

export const metadata: Metadata = { title: "Sign in" };

/** next-auth's error codes, in words a help desk agent can act on. */
const SIGN_IN_ERRORS: Record<string, string> = {
  AccessDenied:
    "Sign-in refused: your account needs exactly one console role (it has none, or several that the console keeps apart), and must not be disabled. Ask your identity team.",
  OAuthAccountNotLinked: "This identity is linked to another staff member.",
  Callback: "Single sign-on did not complete. Try again.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getCurrentStaff()) redirect(callbackUrl);
  const staff = demoSignInEnabled ? await findDemoStaff() : [];
  const error =
    typeof params.error === "string"
      ? (SIGN_IN_ERRORS[params.error] ?? "Sign-in failed. Try again.")
      : null;

  return (
    <main
      id={MAIN_ID}
      tabIndex={-1}
      className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 p-6"
    >
      <div>
        <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase">
          Recovery Console
        </p>
        <h1 className="mt-1 text-2xl font-semibold">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600">
          For help desk agents, supervisors and security reviewers.
        </p>
      </div>
      {error ? (
        <p role="alert" className="rounded-md bg-rose-50 p-3 text-sm text-rose-800">
          {error}
        </p>
      ) : null}
      {oidcConfigured ? <SsoButton name={env.OIDC_DISPLAY_NAME} callbackUrl={callbackUrl} /> : null}
      {demoSignInEnabled ? <DemoSignIn staff={staff} callbackUrl={callbackUrl} /> : null}
      {!oidcConfigured && !demoSignInEnabled ? (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          No sign-in method is configured. Set the OIDC_* variables (see README.md).
        </p>
      ) : null}
    </main>
  );
}
