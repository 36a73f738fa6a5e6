import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-10">
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-slate-600">
        Your role does not give access to this page. The attempt has been recorded in the audit
        trail.
      </p>
      <Link href="/users" className="mt-4 inline-block text-indigo-700 underline">
        Back to the user directory
      </Link>
    </main>
  );
}
