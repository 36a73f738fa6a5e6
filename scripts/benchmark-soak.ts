/**
 * `npm run benchmark:soak`: the console as a service under a desk's load (issue 16): two console
 * instances (scripts/server.ts) over one PostgreSQL with a mid-size organisation, 50 simulated
 * agents with supervisors and security reviewers working for SOAK_SECONDS (default 600; e.g.
 * SOAK_SECONDS=60 to try it). Prints per action the count, p50/p95/p99 and errors by message,
 * the throughput, the machine's load and a floor measured in the same run (GET /healthz), then
 * verifies the audit log and prints `errors: N` and `audit events lost: N` (both targets 0).
 * Not a test: it asserts nothing (exit code 1 when either figure is not 0), and the machine may
 * be shared, so read the latencies beside the floor and the load.
 *
 * It prepares what it needs with the benchmark's setup (scripts/bench/setup.ts): an embedded
 * PostgreSQL of its own in .data/soak-postgres (SOAK_PG_PORT, default 54440) with its own audit
 * keys in .data/soak, SOAK_USERS workforce users (default 10,000) and SOAK_EVENTS audit events
 * (default 50,000) loaded once and kept, the production build, and the consoles on SOAK_PORTS
 * (default 3240,3241). With DATABASE_URL set, that database is used instead (as its owner).
 * Each run uses people who never called, so a data directory serves a few runs; then load more.
 */
import path from "node:path";
import { load } from "./bench/common.ts";
import { prepare } from "./bench/setup.ts";
import { auditCheck, healthzFloor, soak, soakOptions } from "./bench/soak.ts";

const root = path.resolve(import.meta.dirname, "..");
const options = soakOptions();
const ports = (process.env.SOAK_PORTS ?? "3240,3241").split(",").map((port) => Number(port.trim()));
const { ctx, consoles, stop } = await prepare({
  http: true,
  ports,
  dataDir: path.join(root, ".data/soak-postgres"),
  keysDir: path.join(root, ".data/soak"),
  pgPort: Number(process.env.SOAK_PG_PORT ?? 54440),
  scale: {
    users: Number(process.env.SOAK_USERS ?? 10_000),
    events: Number(process.env.SOAK_EVENTS ?? 50_000),
  },
  // The harness keeps each simulated person's step-up fresh; the longest window leaves it slack.
  serverEnv: { STEP_UP_WINDOW_MINUTES: "15" },
});
let failed = false;
try {
  const users = await ctx.db.workforceUser.count();
  const events = await ctx.db.auditEvent.count();
  console.log(
    `\ndata: ${users.toLocaleString("en")} workforce users, ${events.toLocaleString("en")} audit events (${load()})`,
  );
  const floor = await healthzFloor(consoles, 10, 16);
  const { tally, acknowledged, startedAt, seconds } = await soak(ctx, consoles, options);
  console.log(
    `beside the floor: ${(tally.requests / seconds).toFixed(1)} desk requests/s against ${floor.toFixed(0)} GET /healthz/s (${((tally.requests / seconds / floor) * 100).toFixed(1)}%)`,
  );
  const audit = await auditCheck(ctx, acknowledged, startedAt);
  console.log(`errors: ${tally.errors}`);
  console.log(`audit events lost: ${audit.lost}`);
  failed = tally.errors > 0 || audit.lost > 0 || !audit.ok;
} finally {
  await stop();
}
process.exit(failed ? 1 : 0);
