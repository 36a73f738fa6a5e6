/**
 * `npm run audit:checkpoint`: one signer round now (docs/decisions/017): verify the events since
 * the latest checkpoint, grow the tree, sign a checkpoint, submit it to the witnesses. The web
 * process does this by itself every minute while events arrive; this is for operators and tests.
 */
import { createDb } from "../lib/create-db.ts";
import { signRound } from "../lib/server/audit-log-signer.ts";
import { signerConfig } from "../lib/server/audit-log-config.ts";
import { auditConfig } from "./lib/audit-config.ts";

const { databaseUrl } = auditConfig();
const config = signerConfig();
if (!databaseUrl || !config) {
  console.error("Needs DATABASE_URL (or the running demo) and AUDIT_SIGNING_KEY_FILE.");
  process.exit(2);
}
const client = createDb(databaseUrl);
try {
  const result = await signRound(client, config, { force: true });
  if (result.kind === "signed") {
    console.log(`signed a checkpoint of ${result.size} events (was ${result.previousSize})`);
    if (result.stoppedAt)
      console.log(
        `stopped at position ${result.stoppedAt.position} (row ${result.stoppedAt.id}): ${result.stoppedAt.problem}`,
      );
    for (const row of result.flagged)
      console.log(`NOT PART OF THE LOG: position ${row.position} (row ${row.id}): ${row.problem}`);
    for (const w of result.witnesses ?? [])
      console.log(
        `witness ${w.witness}: ${w.kind === "cosigned" ? `cosigned ${w.size}` : w.problem}`,
      );
  } else if (result.kind === "refused") {
    console.log(`NOT SIGNED: ${result.problem}`);
    process.exitCode = 1;
  } else
    console.log(result.kind === "unchanged" ? `unchanged at ${result.size} events` : result.kind);
} finally {
  await client.$disconnect();
}
