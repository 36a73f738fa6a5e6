import type { Metadata } from "next";
import { TooManyTries } from "@/components/too-many-tries";
import { linkPageWait } from "@/lib/server/rate-limit";
import { getPasskeyProof } from "@/lib/server/passkey-proof";
import { ProvePasskey } from "./prove-passkey";

export const metadata: Metadata = { title: "Confirm it's you", referrer: "no-referrer" };

export default async function ProvePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const wait = await linkPageWait("prove");
  if (wait !== null) return <TooManyTries seconds={wait} />;
  const proof = /^[A-Za-z0-9_-]{43}$/.test(token) ? await getPasskeyProof(token) : null;
  if (!proof) {
    return (
      <section>
        <h1 className="text-xl font-semibold">This link is not valid any more</h1>
        <p className="mt-2 text-sm text-slate-600">
          It may have been used, replaced by a newer request, or expired. Ask the service desk for a
          new one.
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1 className="text-xl font-semibold">Confirm it’s you, {proof.name}</h1>
      <p className="mt-2 text-sm text-slate-700">
        The service desk asked you to sign in with a passkey you still have. Your device will ask
        for your fingerprint, face or PIN.
      </p>
      <ProvePasskey token={token} />
    </section>
  );
}
