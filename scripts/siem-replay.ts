/**
 * `npm run siem:replay -- <dead letter id>`: sends a dead-lettered batch of audit events again to
 * the sink it names (configured in SIEM_SINKS, as for the console). Without an id, lists the dead
 * letters not yet replayed. Exit code 0 when replayed, 1 when the sink still refuses, 2 on misuse.
 */
import { createDb } from "../lib/create-db.ts";
import { parseSiemSinks } from "../lib/domain/siem-sinks.ts";
import { replayDeadLetter } from "../lib/server/siem/deliver.ts";
import { closeSyslogConnections } from "../lib/server/siem/syslog.ts";
import { auditConfig } from "./lib/audit-config.ts";

const config = auditConfig();
if (!config.databaseUrl) {
  console.error("Set DATABASE_URL, or start the demo (npm start) first.");
  process.exit(2);
}
let sinks;
try {
  sinks = parseSiemSinks(process.env.SIEM_SINKS, process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const client = createDb(config.databaseUrl);
const id = process.argv[2];
let code = 0;
try {
  if (!id) {
    const letters = await client.siemDeadLetter.findMany({
      where: { replayedAt: null },
      orderBy: { createdAt: "asc" },
    });
    if (letters.length === 0) console.log("No dead letters waiting for a replay.");
    for (const letter of letters)
      console.log(
        `${letter.id}  ${letter.sink}  positions ${letter.fromPosition}-${letter.toPosition}  ${letter.createdAt.toISOString()}  ${letter.error}`,
      );
  } else {
    const result = await replayDeadLetter(client, sinks, id);
    console.log(
      `Replayed positions ${result.fromPosition}-${result.toPosition} to "${result.sink}": ${result.sent} events sent.`,
    );
  }
} catch (error) {
  console.error((error as Error).message);
  code = 1;
} finally {
  closeSyslogConnections();
  await client.$disconnect();
}
process.exit(code);
