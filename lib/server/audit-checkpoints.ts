/**
 * Signed checkpoints of the audit chain (docs/security-requirements.md H5): the head of the chain (last id, its
 * hash, how many chained events) signed with an Ed25519 key the database role never sees, and
 * written to a directory outside the database. Verifying against the latest checkpoint catches
 * what the chain alone cannot: a deleted tail, or a chain rewritten from some point on.
 *
 * NOTE: not marked "server-only": the audit commands (plain Node) use it with their own client.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PrismaClient } from "@/generated/prisma/client";
import {
  CHECKPOINT_FORMAT_V1,
  checkpointSignatureValidV1,
  signCheckpointV1,
  type Checkpoint,
} from "@/lib/domain/audit-format";
import { verifyAuditChain, type ChainReport } from "./verify-audit-chain";

export type { Checkpoint };
type CheckpointFile = { statement: Checkpoint; signature: string; publicKey: string };
type Client = Pick<PrismaClient, "auditEvent">;

export async function writeCheckpoint(input: {
  client: Client;
  privateKeyPem: string;
  dir: string;
  now?: Date;
}): Promise<{ file: string; checkpoint: Checkpoint }> {
  const report = await verifyAuditChain(input.client);
  if (!report.ok)
    throw new Error(
      `Not signing a broken chain (first break at event ${report.firstBreak!.id}: ${report.firstBreak!.problem}).`,
    );
  const statement: Checkpoint = {
    version: CHECKPOINT_FORMAT_V1,
    headId: report.head?.id ?? "0",
    headHash: report.head?.hash ?? "",
    chained: report.checked,
    signedAt: (input.now ?? new Date()).toISOString(),
  };
  const key = createPrivateKey(input.privateKeyPem);
  const body: CheckpointFile = {
    statement,
    signature: signCheckpointV1(statement, key),
    publicKey: createPublicKey(key).export({ type: "spki", format: "pem" }).toString(),
  };
  await mkdir(input.dir, { recursive: true });
  const file = path.join(input.dir, `checkpoint-${statement.signedAt.replace(/[:.]/g, "-")}.json`);
  await writeFile(file, JSON.stringify(body, null, 2) + "\n", { flag: "wx" });
  return { file, checkpoint: statement };
}

export type CheckpointReport = ChainReport & {
  checkpoint: Checkpoint | null;
  checkpointProblem: string | null;
};

/** Verifies the chain, then the latest checkpoint's signature (with the trusted public key) and that the chain still contains it. */
export async function verifyWithCheckpoint(input: {
  client: Client;
  publicKeyPem: string;
  dir: string;
}): Promise<CheckpointReport> {
  const report = await verifyAuditChain(input.client);
  const files = (await readdir(input.dir).catch(() => [] as string[]))
    .filter((f) => /^checkpoint-.*\.json$/.test(f))
    .sort();
  if (files.length === 0)
    return { ...report, checkpoint: null, checkpointProblem: "no checkpoint yet" };
  const latest = JSON.parse(
    await readFile(path.join(input.dir, files.at(-1)!), "utf8"),
  ) as CheckpointFile;
  const problem = (text: string): CheckpointReport => ({
    ...report,
    ok: false,
    checkpoint: latest.statement,
    checkpointProblem: text,
  });
  // A body in a format this code does not know cannot be checked, only reported.
  if (latest.statement.version !== CHECKPOINT_FORMAT_V1)
    return problem(
      `the latest checkpoint is in format version ${String(latest.statement.version)}, which this verifier does not know`,
    );
  if (
    !checkpointSignatureValidV1(
      latest.statement,
      latest.signature,
      createPublicKey(input.publicKeyPem),
    )
  ) {
    return problem("the latest checkpoint's signature is not valid for the trusted key");
  }
  const { headId, headHash, chained } = latest.statement;
  if (headId === "0") return { ...report, checkpoint: latest.statement, checkpointProblem: null };
  const head = await input.client.auditEvent.findUnique({
    where: { id: BigInt(headId) },
    select: { hash: true },
  });
  if (!head)
    return problem(
      `event ${headId}, the head of the latest checkpoint, is missing: the chain was cut`,
    );
  if (head.hash !== headHash)
    return problem(
      `event ${headId} no longer has the hash the latest checkpoint signed: the chain was rewritten`,
    );
  const now = await input.client.auditEvent.count({
    where: { id: { lte: BigInt(headId) }, hash: { not: null } },
  });
  if (now !== chained)
    return problem(
      `the checkpoint signed ${chained} chained events up to ${headId}; there are ${now}`,
    );
  return { ...report, checkpoint: latest.statement, checkpointProblem: null };
}
