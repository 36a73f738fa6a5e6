import type { Metadata } from "next";
import { RedeemForm } from "./redeem-form";

export const metadata: Metadata = { title: "Use a temporary access pass", referrer: "no-referrer" };

export default function RedeemPage() {
  return (
    <section>
      <h1 className="text-xl font-semibold">Use your temporary access pass</h1>
      <p className="mt-2 text-sm text-slate-600">
        The service desk sent it to your email address of record. Nobody from the service desk will
        ask you for it.
      </p>
      <RedeemForm />
    </section>
  );
}
