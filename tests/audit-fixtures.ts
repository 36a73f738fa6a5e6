/**
 * What the audit log's tests share: events recorded through the product's write path, and a
 * signer and verification worker over a test checkpoint key.
 */
import type { KeyObject } from "node:crypto";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { logVerifier, type SignerConfig } from "@/lib/server/audit-log-signer";
import type { WorkerConfig } from "@/lib/server/verification-worker";
import { db } from "@/tests/db";

/** One refusal, recorded as the console records them: an event to fill the log with. */
export async function decide(n: number) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      actor: { type: "SYSTEM", name: `caller ${n}` },
      data: { permission: "audit:read", path: `/audit/${n}` },
    }),
  );
}

/**
 * A signer for the log `origin` under `key`, copying checkpoints to `dir()` (read when called:
 * tests make the directory in beforeAll), and a verification worker that trusts it, unpaced and
 * with no schedule.
 */
export function testLog(origin: string, key: KeyObject, dir: () => string | undefined) {
  const signer = (): SignerConfig => ({
    origin,
    privateKey: key,
    eventKeys: trustedEventKeys(),
    dir: dir(),
    witnesses: [],
  });
  const worker = (): WorkerConfig => ({
    eventKeys: trustedEventKeys(),
    log: logVerifier(signer()),
    dir: dir(),
    duty: 1,
    scheduleHours: 0,
  });
  return { signer, worker };
}
