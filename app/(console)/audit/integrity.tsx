import { formatDateTime } from "@/components/status-badge";
import type { AuditIntegrity } from "@/lib/server/get-audit-integrity";
import { FullVerification } from "./full-verification";

/**
 * How far the audit log is signed and witnessed, and what the verifications found
 * (docs/decisions/017). The full verification runs outside the web process (the verification
 * worker, docs/decisions/020); it is started and followed here, and its last result shows here.
 */
export function IntegrityPanel({ integrity }: { integrity: AuditIntegrity }) {
  const { size, checkpoint, witnesses, lastFull, lastAlert, fullRun, check } = integrity;
  const full = lastFull?.data as FullResult | undefined;
  const unsigned = size - (checkpoint?.size ?? 0);
  const failing =
    check?.ok === false ||
    lastAlert !== null ||
    full?.ok === false ||
    witnesses.some((witness) => witness.forged > 0);
  return (
    <section
      aria-labelledby="integrity"
      className={`rounded-md border p-4 text-sm ${failing ? "border-rose-300 bg-rose-50 text-rose-900" : "border-slate-200 bg-white text-slate-800"}`}
    >
      <h2 id="integrity" className="font-semibold">
        {failing ? "Tampering detected" : "Log integrity"}
      </h2>
      <dl className="mt-2 grid gap-x-6 gap-y-1 sm:grid-cols-[max-content_1fr]">
        <dt className="text-slate-600">Events in the log</dt>
        <dd>{size.toLocaleString("en-GB")}</dd>
        <dt className="text-slate-600">Signed checkpoint</dt>
        <dd>
          {checkpoint
            ? `${checkpoint.size.toLocaleString("en-GB")} events, signed ${formatDateTime(checkpoint.signedAt)}`
            : integrity.signing
              ? "none yet"
              : "no checkpoint key is configured"}
          {unsigned > 0 && checkpoint ? ` · ${unsigned} newer event(s) not yet signed` : ""}
          {integrity.signing ? ` · every ${integrity.intervalSeconds} s while events arrive` : ""}
        </dd>
        <dt className="text-slate-600">Witnesses</dt>
        <dd>
          {witnesses.length === 0 ? (
            "none configured"
          ) : (
            <ul>
              {witnesses.map((witness) => (
                <li key={witness.name}>
                  <span className="font-mono text-xs">{witness.name}</span>:{" "}
                  {witness.size === null
                    ? "has not cosigned yet"
                    : `cosigned up to ${witness.size.toLocaleString("en-GB")} events, ${formatDateTime(witness.at!)}`}
                  {witness.size !== null && checkpoint && witness.size < checkpoint.size
                    ? ` (behind by ${checkpoint.size - witness.size})`
                    : ""}
                  {witness.forged > 0 ? (
                    <strong className="block text-rose-800">
                      {witness.forged} stored cosignature(s) do not verify with this witness’s key
                    </strong>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt className="text-slate-600">Signer’s findings</dt>
        <dd>
          {lastAlert
            ? alertLine(lastAlert.data as AlertResult, lastAlert.at)
            : "none: every event it checkpointed is part of the log"}
        </dd>
        <dt className="text-slate-600">Last full verification</dt>
        <dd>
          {full && lastFull ? fullLine(full, lastFull.at) : "never"}
          <FullVerification key={`${fullRun.state}-${fullRun.requestedAt}`} initial={fullRun} />
        </dd>
        <dt className="text-slate-600">Keys for auditors</dt>
        <dd className="break-all">
          {integrity.logVkey ? (
            <>
              Log:{" "}
              <code className="text-xs" aria-label="log key">
                {integrity.logVkey}
              </code>
            </>
          ) : (
            "no checkpoint key"
          )}
          {integrity.eventKeys.map((key) => (
            <span key={key.id} className="block">
              Event key {key.id}:{" "}
              <code className="text-xs" aria-label={`event key ${key.id}`}>
                {key.publicKey}
              </code>
            </span>
          ))}
        </dd>
        {check ? (
          <>
            <dt className="text-slate-600">Checked just now</dt>
            <dd>
              <span role="status">
                {check.ok
                  ? `intact: the checkpoint's signature and tree, ${check.checked} newer event(s)` +
                    (check.unchecked
                      ? ` (${check.unchecked.toLocaleString("en-GB")} more not checked here: the signer checks them as it catches up)`
                      : "")
                  : check.problems.join("; ")}
              </span>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

type FullResult = {
  ok: boolean;
  rows: number;
  size: number;
  problemCount: number;
  problems: string[];
};
type AlertResult = {
  flagged: string[];
  flaggedCount: number;
  gap: string | null;
  strayRows: number;
};

function fullLine(result: FullResult, at: Date) {
  return result.ok
    ? `intact, ${formatDateTime(at)} (${result.rows.toLocaleString("en-GB")} rows, ${result.size.toLocaleString("en-GB")} in the tree)`
    : `PROBLEMS, ${formatDateTime(at)}: ${result.problems.join("; ")}${result.problemCount > result.problems.length ? ` … and ${result.problemCount - result.problems.length} more` : ""}`;
}

function alertLine(alert: AlertResult, at: Date) {
  const parts = [
    ...alert.flagged,
    ...(alert.flaggedCount > alert.flagged.length
      ? [`… and ${alert.flaggedCount - alert.flagged.length} more`]
      : []),
    ...(alert.gap ? [alert.gap] : []),
    ...(alert.strayRows ? [`${alert.strayRows} row(s) outside the log`] : []),
  ];
  return `${formatDateTime(at)}: ${parts.join("; ") || "rows outside the log are gone"}`;
}
