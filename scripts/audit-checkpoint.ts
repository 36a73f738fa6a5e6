/** `npm run audit:checkpoint`: signs the current head of the audit chain into the checkpoint directory. */
import { createDb } from "../lib/create-db.ts";
import { writeCheckpoint } from "../lib/server/audit-checkpoints.ts";
import { auditConfig } from "./lib/audit-config.ts";

const config = auditConfig();
if (!config.databaseUrl || !config.privateKeyPem) {
  console.error("Needs DATABASE_URL (or the running demo) and AUDIT_SIGNING_KEY_FILE.");
  process.exit(2);
}
const client = createDb(config.databaseUrl);
try {
  const { file, checkpoint } = await writeCheckpoint({
    client,
    privateKeyPem: config.privateKeyPem,
    dir: config.checkpointDir,
  });
  console.log(`signed head ${checkpoint.headId} (${checkpoint.chained} events) into ${file}`);
} finally {
  await client.$disconnect();
}
