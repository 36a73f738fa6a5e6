"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ActionForm } from "@/components/action-form";
import { progressOf, type FullRunStatus } from "@/lib/domain/verification-runs";
import { startFullVerificationAction } from "./actions";

const POLL_MS = 2000;

/**
 * Starts a full verification and follows it (keyed by the run by its parent, so a new run from
 * the server starts afresh): the request only queues it (the verification
 * worker runs it in a process of its own), then this polls its progress every two seconds and
 * refreshes the panel when it finishes, so no request is held open however large the log.
 */
export function FullVerification({ initial }: { initial: FullRunStatus }) {
  const router = useRouter();
  const [status, setStatus] = useState(initial);
  const [lost, setLost] = useState(false);
  const active = status.state === "queued" || status.state === "running";

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const response = await fetch("/audit/verification", { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        const next = (await response.json()) as FullRunStatus;
        if (stopped) return;
        setLost(false);
        setStatus(next);
        if (next.state !== "queued" && next.state !== "running") router.refresh();
      } catch {
        if (!stopped) setLost(true);
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [active, router]);

  return (
    <div className="mt-1 space-y-1">
      {active ? <Progress status={status} /> : null}
      {status.state === "abandoned" ? (
        <p>The last run stopped before it finished (its worker stopped); you can start another.</p>
      ) : null}
      {status.state === "finished" && status.unfinished ? (
        <p className="text-rose-800">The last run did not finish: {status.unfinished}</p>
      ) : null}
      {lost ? <p className="text-amber-800">Progress could not be read; retrying…</p> : null}
      {active ? null : (
        <ActionForm action={startFullVerificationAction} label="Full verification">
          {(pending) => (
            <button
              type="submit"
              disabled={pending}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium disabled:opacity-60"
            >
              Run a full verification
            </button>
          )}
        </ActionForm>
      )}
    </div>
  );
}

function Progress({ status }: { status: FullRunStatus }) {
  if (status.state === "queued")
    return (
      <p role="status">
        Queued{" "}
        {status.requestedAt ? `at ${new Date(status.requestedAt).toLocaleTimeString("en-GB")}` : ""}
        , waiting for the verification worker (<code>npm run audit:worker</code>;{" "}
        <code>npm start</code> runs one).
      </p>
    );
  const progress = progressOf(
    {
      checked: status.checked,
      total: status.total,
      startedAt: status.startedAt ? new Date(status.startedAt) : null,
    },
    new Date(),
  );
  const percent = Math.round(progress.share * 100);
  return (
    <div role="status" aria-live="polite">
      <label className="block">
        Verifying: {status.checked.toLocaleString("en-GB")} of about{" "}
        {status.total.toLocaleString("en-GB")} rows ({percent}%)
        {progress.perSecond
          ? `, ${Math.round(progress.perSecond).toLocaleString("en-GB")} rows/s`
          : ""}
        {progress.secondsLeft !== null && progress.share < 1
          ? `, about ${formatDuration(progress.secondsLeft)} left`
          : ""}
        <progress className="mt-1 block w-full max-w-md" max={100} value={percent}>
          {percent}%
        </progress>
      </label>
    </div>
  );
}

function formatDuration(seconds: number) {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
