/**
 * `npm run audit:verify`: checks the whole audit chain and the latest signed checkpoint.
 * Exit code 0 when intact, 1 when anything is wrong (the first broken event is named).
 */
import { createDb } from "../lib/create-db.ts";
import { verifyWithCheckpoint } from "../lib/server/audit-checkpoints.ts";
import { verifyAuditChain } from "../lib/server/verify-audit-chain.ts";
import { auditConfig } from "./lib/audit-config.ts";

const config = auditConfig();
if (!config.databaseUrl) {
  console.error("Set DATABASE_URL, or start the demo (npm start) first.");
  process.exit(2);
}
const client = createDb(config.databaseUrl);
const started = Date.now();
const report = config.publicKeyPem
  ? await verifyWithCheckpoint({
      client,
      publicKeyPem: config.publicKeyPem,
      dir: config.checkpointDir,
    })
  : {
      ...(await verifyAuditChain(client)),
      checkpoint: null,
      checkpointProblem: "no public key configured (AUDIT_PUBLIC_KEY_FILE)",
    };
await client.$disconnect();
console.log(
  `chain: ${report.checked} events checked${report.legacy ? `, ${report.legacy} legacy events before the chain` : ""} in ${Date.now() - started} ms`,
);
if (report.firstBreak)
  console.log(`BROKEN at event ${report.firstBreak.id}: ${report.firstBreak.problem}`);
if (report.checkpoint)
  console.log(
    `latest checkpoint: head ${report.checkpoint.headId}, ${report.checkpoint.chained} events, signed ${report.checkpoint.signedAt}`,
  );
if (report.checkpointProblem) console.log(`checkpoint: ${report.checkpointProblem}`);
console.log(report.ok && !report.firstBreak ? "OK" : "TAMPERING DETECTED");
process.exit(report.ok ? 0 : 1);
