/**
 * `npm run audit:worker`: the verification worker (docs/decisions/020), a process of its own so
 * that verifying a large log never stalls the web server. `npm start` runs one beside the
 * console; run one per deployment (more are harmless: a queued run is claimed by one of them).
 * It runs the full verifications asked for on the audit page and by the schedule
 * (AUDIT_FULL_VERIFY_HOURS, default 24; 0 for none), paced to AUDIT_VERIFY_DUTY of the time
 * (default 0.5) at a low CPU priority (nice 10), and logs its progress as the console's JSON lines
 * (lib/server/log.ts, each with `worker: "audit"`). Needs the database and the
 * keys the verify command needs (npm run audit:verify); without the event key it cannot record
 * results, so it refuses to start.
 */
import { setPriority } from "node:os";
import { pgClient } from "../lib/pg-connect.ts";
import { createDb } from "../lib/create-db.ts";
import { parseDuty, parseScheduleHours } from "../lib/domain/verification-runs.ts";
import { trustedEventKeys } from "../lib/server/audit-keys.ts";
import { logNoteVerifier } from "../lib/server/audit-log-config.ts";
import { log as processLog } from "../lib/server/log.ts";
import { VERIFICATION_CHANNEL } from "../lib/server/verification-runs.ts";
import { workOnce, type WorkerConfig } from "../lib/server/verification-worker.ts";
import { auditConfig } from "./lib/audit-config.ts";

const POLL_MS = 15_000;
/** nice 10: about a tenth of a core's share against busy normal-priority processes. */
const PRIORITY = 10;
const logger = processLog().child({ worker: "audit" });

const { databaseUrl, checkpointDir } = auditConfig();
const log = logNoteVerifier();
const eventKeys = trustedEventKeys();
if (!databaseUrl || !log || !process.env.AUDIT_EVENT_KEY_FILE) {
  console.error(
    "The audit worker needs DATABASE_URL (or the running demo), AUDIT_EVENT_KEY_FILE (it records each result as a signed event) and AUDIT_PUBLIC_KEY_FILE (the checkpoint key's public half).",
  );
  process.exit(2);
}
let config: WorkerConfig;
try {
  config = {
    eventKeys,
    log,
    dir: checkpointDir,
    databaseUrl,
    duty: parseDuty(process.env.AUDIT_VERIFY_DUTY),
    scheduleHours: parseScheduleHours(process.env.AUDIT_FULL_VERIFY_HOURS),
  };
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
try {
  // A low priority: the web server comes first for the CPU, but not the lowest (19), which on a
  // machine that is always busy would starve the verification so it never finishes.
  setPriority(PRIORITY);
} catch {
  logger.warn("could not lower this process's priority; relying on pacing alone");
}

const client = createDb(databaseUrl, { poolSize: 2 });
let wake: () => void = () => {};
/** A request heard while a round was running: the next round starts at once. */
let nudged = false;
let stopping = false;
await listen();
logger.info(
  { duty: config.duty, scheduleHours: config.scheduleHours },
  `waiting for full verifications (working ${Math.round(config.duty * 100)}% of the time; ` +
    (config.scheduleHours ? `one every ${config.scheduleHours} h` : "no schedule") +
    ")",
);

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    stopping = true;
    wake();
    // A run cut short is closed as abandoned by the next worker; nothing to undo.
    setTimeout(() => process.exit(0), 1000).unref();
  });

while (!stopping) {
  nudged = false;
  try {
    let shown = 0;
    const done = await workOnce(client, config, {
      onProgress: (rows, total) => {
        if (Date.now() - shown < 10_000) return;
        shown = Date.now();
        logger.info({ rows, total }, "verifying");
      },
    });
    if (done) {
      const { report } = done;
      const facts = { rows: report.rows, intact: report.ok, problems: report.problemCount };
      if (report.ok) logger.info(facts, "verified: intact");
      else
        logger.error(
          { ...facts, first: report.problems[0]?.problem },
          "verified: NOT INTACT (the audit page lists the problems)",
        );
      continue;
    }
  } catch (error) {
    logger.error({ err: error }, "a round failed; trying again shortly");
  }
  if (nudged) {
    nudged = false;
    continue;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, POLL_MS);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}
await client.$disconnect();

/** Hears a run asked for on the page at once (the poll is the fallback). */
async function listen(): Promise<void> {
  const listener = pgClient(databaseUrl!);
  listener.on("notification", () => {
    nudged = true;
    wake();
  });
  listener.on("error", (error) => {
    // Stopping (Ctrl-C reaches the database too): the lost connection is expected, not news.
    if (stopping) return;
    logger.warn({ err: error }, "lost the notification connection; polling until it is back");
    setTimeout(() => void listen(), 5000).unref();
  });
  try {
    await listener.connect();
    await listener.query(`LISTEN ${VERIFICATION_CHANNEL}`);
  } catch (error) {
    if (stopping) return;
    logger.warn({ err: error }, `could not listen for requests; polling every ${POLL_MS / 1000} s`);
    setTimeout(() => void listen(), 5000).unref();
  }
}
