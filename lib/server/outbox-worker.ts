import "server-only";
import { readFile } from "node:fs/promises";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { writeCheckpoint } from "./audit-checkpoints";
import { deliverOutbox } from "./deliver-outbox";

const INTERVAL_MS = 2000;
const CHECKPOINT_EVERY_MS = 10 * 60 * 1000;
let started = false;
let running = false;
let lastCheckpoint = 0;

/**
 * The server's background work, one pass at a time per process: sending the outbox (SKIP LOCKED
 * keeps processes apart) and, when a signing key is configured, a signed audit checkpoint every
 * ten minutes (empty intervals included: the head is signed again).
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
  setInterval(() => void tick(), INTERVAL_MS).unref();
}
