/**
 * Starts the outbox worker in the Node.js server process: every few seconds it sends what
 * committed decisions queued (lib/server/deliver-outbox.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startOutboxWorker } = await import("./lib/server/outbox-worker");
  startOutboxWorker();
}
