import "server-only";
import { readFile } from "node:fs/promises";
import { db } from "@/lib/db";
import { env, siemSinks } from "@/lib/env";
import { writeCheckpoint } from "./audit-checkpoints";
import { deliverOutbox } from "./deliver-outbox";
import { deliverSiem } from "./siem/deliver";

const INTERVAL_MS = 2000;
const CHECKPOINT_EVERY_MS = 10 * 60 * 1000;
let started = false;
let running = false;
let streaming = false;
/** Batches per SIEM sink per tick (each sink's batchSize events at most, so at most 10 × that). */
const SIEM_BATCHES_PER_TICK = 10;
let lastCheckpoint = 0;

/**
 * The server's background work, one pass at a time per process: sending the outbox (SKIP LOCKED
 * keeps processes apart) and, when a signing key is configured, a signed audit checkpoint every
 * ten minutes (empty intervals included: the head is signed again). The SIEM stream
 * (lib/server/siem/deliver.ts) runs beside it, one pass per tick and never two at once, so a slow
 * or unreachable SIEM delays neither the mail nor a page: both run off the request path.
 */
export function startOutboxWorker(): void {
  if (started) return;
  started = true;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await deliverOutbox();
      if (
        env.AUDIT_SIGNING_KEY_FILE &&
        env.AUDIT_CHECKPOINT_DIR &&
        Date.now() - lastCheckpoint >= CHECKPOINT_EVERY_MS
      ) {
        lastCheckpoint = Date.now();
        await writeCheckpoint({
          client: db,
          privateKeyPem: await readFile(env.AUDIT_SIGNING_KEY_FILE, "utf8"),
          dir: env.AUDIT_CHECKPOINT_DIR,
        });
      }
    } catch (error) {
      console.error("background work failed", error);
    } finally {
      running = false;
    }
  };
  const stream = async () => {
    if (streaming) return;
    streaming = true;
    try {
      const sinks = siemSinks();
      if (sinks.length > 0) await deliverSiem(db, sinks, { batches: SIEM_BATCHES_PER_TICK });
    } catch (error) {
      console.error("SIEM streaming failed", error);
    } finally {
      streaming = false;
    }
  };
  setInterval(() => {
    void tick();
    void stream();
  }, INTERVAL_MS).unref();
}
