import type { Metadata } from "next";
import { RecoverWithCodeForm } from "./recover-with-code-form";

export const metadata: Metadata = { title: "Use a recovery code", referrer: "no-referrer" };

export default function RecoverWithCodePage() {
  return (
    <section>
      <h1 className="text-xl font-semibold">Use a recovery code</h1>
      <p className="mt-2 text-sm text-slate-600">
        Lost your passkeys? If you saved recovery codes, one of them lets you set up a new passkey
        without calling the service desk. Each code works once. Nobody from the service desk will
        ask you for one.
      </p>
      <RecoverWithCodeForm />
    </section>
  );
}
