import type { Metadata } from "next";
import { TooManyTries } from "@/components/too-many-tries";
import { linkPageWait } from "@/lib/server/rate-limit";
import Link from "next/link";
import { getEnrolmentLink } from "@/lib/server/get-enrolment-link";
import { EnrolWithLink } from "./enrol-with-link";

export const metadata: Metadata = { title: "Set up your new passkey", referrer: "no-referrer" };

/** Opening the page uses nothing up; registering does. */
export default async function EnrolPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const wait = await linkPageWait("enrol");
  if (wait !== null) return <TooManyTries seconds={wait} />;
  const link = /^[A-Za-z0-9_-]{43}$/.test(token) ? await getEnrolmentLink(token) : null;
  if (!link) {
    return (
      <section>
        <h1 className="text-xl font-semibold">This link is not valid any more</h1>
        <p className="mt-2 text-sm text-slate-600">
          It may have been used, replaced or expired. Call the service desk if you still need a new
          passkey.
        </p>
      </section>
    );
  }
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">Set up your new passkey, {link.name}</h1>
      <p className="text-sm text-slate-700">
        Do this on the device you want to use. Your device will ask for your fingerprint, face or
        PIN.
        {link.revokeCount > 0
          ? ` When it is done, the ${link.revokeCount === 1 ? "passkey you lost stops" : `${link.revokeCount} passkeys you lost stop`} working.`
          : ""}
      </p>
      <EnrolWithLink token={token} />
      <p className="text-sm text-slate-600">
        Afterwards,{" "}
        <Link href="/account" className="text-indigo-700 underline">
          sign in to your account
        </Link>{" "}
        with it.
      </p>
    </section>
  );
}
