import { formatDateTime } from "@/components/status-badge";
import type { AuditIntegrity } from "@/lib/server/get-audit-integrity";

/**
 * How far the audit log is signed and witnessed, and what the verifications found
 * (docs/decisions/017). The full verification runs outside the web process; its last result
 * shows here.
 */
export function IntegrityPanel({ integrity }: { integrity: AuditIntegrity }) {
  const { size, checkpoint, witnesses, lastIncremental, lastFull, check } = integrity;
  const unsigned = size - (checkpoint?.size ?? 0);
  const failing = check?.ok === false || lastIncremental?.ok === false || lastFull?.ok === false;
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
        <dt className="text-slate-600">Last check by the signer</dt>
        <dd>{verificationLine(lastIncremental)}</dd>
        <dt className="text-slate-600">Last full verification</dt>
        <dd>
          {verificationLine(lastFull)}{" "}
          <span className="text-slate-600">
            (runs outside the console: <code>npm run audit:verify</code>)
          </span>
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
            <dd role="status">
              {check.ok
                ? `intact: the checkpoint's signature and tree, ${check.checked} newer event(s)`
                : check.problems.join("; ")}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

type Verification = AuditIntegrity["lastFull"];

function verificationLine(run: Verification) {
  if (!run) return "never";
  if (!run.finishedAt)
    return `running since ${formatDateTime(run.startedAt ?? run.requestedAt)}: ${run.checked} of ${run.total} rows`;
  const problems = Array.isArray(run.problems)
    ? (run.problems as { problem: string; id?: string; position?: string | null }[])
    : [];
  return run.ok
    ? `intact, ${formatDateTime(run.finishedAt)} (${run.checked} rows${run.size !== null ? `, ${run.size} in the tree` : ""})`
    : `PROBLEMS, ${formatDateTime(run.finishedAt)}: ${problems
        .slice(0, 5)
        .map((p) => `${p.position ? `position ${p.position}` : `row ${p.id}`}: ${p.problem}`)
        .join("; ")}${problems.length > 5 ? ` … and ${problems.length - 5} more` : ""}`;
}
