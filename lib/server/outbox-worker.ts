import "server-only";
import { deliverOutbox } from "./deliver-outbox";

const INTERVAL_MS = 2000;
let started = false;
let running = false;

/** Polls the outbox; one pass at a time per process (SKIP LOCKED keeps processes apart). */
export function startOutboxWorker(): void {
  if (started) return;
  started = true;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await deliverOutbox();
    } catch (error) {
      console.error("outbox delivery failed", error);
    } finally {
      running = false;
    }
  };
  setInterval(() => void tick(), INTERVAL_MS).unref();
}
