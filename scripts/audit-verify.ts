/**
 * `npm run audit:verify`: the full verification of the audit log (docs/decisions/017), outside
 * the web process: every row, whatever its id, then the tree recomputed from the rows against the
 * newest checkpoint (the database's or the checkpoint directory's, whichever is newer), with the
 * log's public key only. Prints progress as it goes and every row that is not part of the log.
 * Exit code 0 when intact, 1 when anything is wrong, 2 when it cannot run. Unpaced unless
 * AUDIT_VERIFY_DUTY says otherwise (on the console's own machine, set it, or leave the work to the
 * verification worker: npm run audit:worker, and the audit page's button).
 *
 * It relies on the signer's newest check receipt for the rows it covers (docs/decisions/049):
 * their signatures, checked by the signer and vouched for with the event key, are not checked
 * again. `--every-signature` checks every one all the same.
 */
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { createDb } from "../lib/create-db.ts";
import { trustedEventKeys } from "../lib/server/audit-keys.ts";
import { logVerifier } from "../lib/server/audit-log-signer.ts";
import { logOrigin } from "../lib/server/audit-log-config.ts";
import { runFullVerification } from "../lib/server/full-verification.ts";
import { pacer } from "../lib/server/verification-worker.ts";
import { parseDuty } from "../lib/domain/verification-runs.ts";
import { auditConfig } from "./lib/audit-config.ts";

const config = auditConfig();
const publicKeyFile = process.env.AUDIT_PUBLIC_KEY_FILE;
if (!config.databaseUrl || !publicKeyFile) {
  console.error(
    "Needs DATABASE_URL (or the running demo) and AUDIT_PUBLIC_KEY_FILE (the checkpoint key's public half).",
  );
  process.exit(2);
}
const eventKeys = trustedEventKeys();
if (eventKeys.size === 0) {
  console.error(
    "Needs the event keys to trust: AUDIT_EVENT_KEY_FILE or AUDIT_EVENT_PUBLIC_KEY_FILES.",
  );
  process.exit(2);
}
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--every-signature");
if (unknown.length > 0) {
  console.error(`Unknown argument ${unknown[0]}: the only option is --every-signature.`);
  process.exit(2);
}
const client = createDb(config.databaseUrl);
const started = Date.now();
let shown = 0;
const report = await runFullVerification(client, {
  eventKeys,
  log: logVerifier({
    origin: logOrigin(),
    publicKey: createPublicKey(readFileSync(publicKeyFile, "utf8")),
  }),
  dir: process.env.AUDIT_CHECKPOINT_DIR,
  pace: pacer(parseDuty(process.env.AUDIT_VERIFY_DUTY ?? "1")),
  databaseUrl: config.databaseUrl,
  everySignature: args.includes("--every-signature"),
  onProgress: (rows, total) => {
    if (Date.now() - shown < 2000) return;
    shown = Date.now();
    console.log(`… ${rows} of about ${total} rows`);
  },
});
await client.$disconnect();
const seconds = (Date.now() - started) / 1000;
console.log(
  `log: ${report.rows} rows read, ${report.size} events in the tree` +
    (report.v1.rows
      ? `, ${report.v1.rows} v1 rows (${report.v1.sealed ? "sealed" : "NOT sealed"})`
      : "") +
    ` in ${seconds.toFixed(1)} s (${Math.round(report.rows / Math.max(seconds, 0.001))} rows/s)`,
);
if (report.receipt)
  console.log(
    report.receipt.held
      ? `check receipt: positions ${report.receipt.from} to ${report.receipt.size - 1}, ${report.receipt.vouched} signatures vouched for by the signer, not checked again`
      : `check receipt for ${report.receipt.size} events: the rows no longer hash to its root, so every signature was checked`,
  );
else console.log("every signature checked");
if (report.checkpoint)
  console.log(`newest checkpoint: ${report.checkpoint.size} events (${report.checkpoint.source})`);
if (report.checkpointProblem) console.log(`checkpoint: ${report.checkpointProblem}`);
for (const problem of report.problems)
  console.log(
    `NOT PART OF THE LOG: row ${problem.id}${problem.position ? ` at position ${problem.position}` : ""}: ${problem.problem}`,
  );
if (report.problemCount > report.problems.length)
  console.log(`… and ${report.problemCount - report.problems.length} more`);
console.log(report.ok ? "OK" : "TAMPERING DETECTED");
process.exit(report.ok ? 0 : 1);
