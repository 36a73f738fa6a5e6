/**
 * One console instance's background worker, alone in a process (tests/integration/cluster-leader
 * .test.ts starts two and stops one): the same startOutboxWorker that instrumentation.ts starts
 * in every web process, with the environment of the test file that spawned it. Run with
 * `node --conditions=react-server --import tsx` so "server-only" imports as it does in Next.
 */
import { startOutboxWorker } from "@/lib/server/outbox-worker";

startOutboxWorker();
console.log(`[worker ${process.pid}] started`);
// The worker's timers do not keep a process alive (a web server does that in the console).
const alive = setInterval(() => undefined, 60_000);
process.on("SIGTERM", () => {
  clearInterval(alive);
  process.exit(143);
});
