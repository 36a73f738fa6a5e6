import "server-only";
import { readFile } from "node:fs/promises";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { verifyWithCheckpoint } from "./audit-checkpoints";
import { verifyAuditChain } from "./verify-audit-chain";

/** The reviewer page's integrity check: the chain, and the latest checkpoint when a public key is configured. */
export async function getAuditIntegrity() {
  if (env.AUDIT_PUBLIC_KEY_FILE && env.AUDIT_CHECKPOINT_DIR) {
    const publicKeyPem = await readFile(env.AUDIT_PUBLIC_KEY_FILE, "utf8");
    return verifyWithCheckpoint({ client: db, publicKeyPem, dir: env.AUDIT_CHECKPOINT_DIR });
  }
  return {
    ...(await verifyAuditChain(db)),
    checkpoint: null,
    checkpointProblem: "no public key configured",
  };
}
