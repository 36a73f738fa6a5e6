"use client";

import { MAIN_ID } from "@/components/skip-link";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main id={MAIN_ID} tabIndex={-1} className="mx-auto max-w-xl p-10" role="alert">
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-slate-600">
        The console could not complete this request. Nothing was changed by the failed step.
        {error.digest ? ` Reference: ${error.digest}.` : null}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white"
      >
        Try again
      </button>
    </main>
  );
}
