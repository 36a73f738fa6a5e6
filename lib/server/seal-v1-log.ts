/**
 * The switch from audit format v1 to v2 (docs/decisions/017-verifiable-audit-log.md). A log that
 * has v1 rows (a hash chain, written before the tree existed) gets one v2 event,
 * `audit.format_changed`, that names the v1 rows as they stand: their id range, their count, the
 * chain's head and length, and a digest of every v1 row's content (legacy rows, which the chain
 * never covered, included). Signed and in the tree like every v2 event, it seals the v1 part: a
 * v1 row that appears later, changes or goes missing no longer matches it. Only the first seal
 * that is part of the log counts; any later one is named by the verifier. Run by the start
 * script after migrations, before the console serves (and harmless to run again).
 *
 * NOTE: not marked "server-only": the start script (plain Node) runs it.
 */
import { createHash, type KeyObject } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import { V1_FIELDS, verifyChainSegment, type ChainedEvent } from "@/lib/domain/audit-chain";
import { checkV2Row, type StoredRow } from "@/lib/domain/audit-log-check";
import { canonicalJson } from "@/lib/domain/canonical-json";
import { auditedTransaction, recordAudit } from "./audit";
import { trustedEventKeys } from "./audit-keys";

export type V1Seal = {
  rows: number;
  chained: number;
  firstId: string;
  headId: string;
  headHash: string;
  digest: string;
  /** The legacy rows' ids, when the seal lists them (at most 10,000). */
  legacyIds: string[] | null;
};

/** The seal an `audit.format_changed` payload states, or null if the payload is not one. */
export function sealOf(data: unknown): V1Seal | null {
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.v1Rows !== "number" || typeof d.chained !== "number") return null;
  if (typeof d.firstId !== "string" || typeof d.headId !== "string") return null;
  if (typeof d.headHash !== "string" || typeof d.v1Digest !== "string") return null;
  return {
    rows: d.v1Rows,
    chained: d.chained,
    firstId: d.firstId,
    headId: d.headId,
    headHash: d.headHash,
    digest: d.v1Digest,
    legacyIds: Array.isArray(d.legacyIds) ? d.legacyIds.map(String) : null,
  };
}

type V1Row = Pick<ChainedEvent, "id" | "prevHash" | "hash"> & Record<string, unknown>;

/**
 * Digests v1 rows, fed in id order: SHA-256 over each row's id, the fifteen v1 fields, its
 * previous hash and hash, as canonical JSON, one per line.
 */
export class V1Digest {
  private readonly hash = createHash("sha256");
  add(row: V1Row & { createdAt: Date | string }) {
    const createdAt =
      typeof row.createdAt === "string" ? row.createdAt : row.createdAt.toISOString();
    const fields = Object.fromEntries(
      V1_FIELDS.map((field) => [field, field === "createdAt" ? createdAt : (row[field] ?? null)]),
    );
    this.hash.update(
      canonicalJson({ id: row.id.toString(), ...fields, prevHash: row.prevHash, hash: row.hash }) +
        "\n",
    );
  }
  hex() {
    return this.hash.digest("hex");
  }
}

/** The first `audit.format_changed` event that is part of the log (by position), if any. */
export async function findSeal(
  client: Pick<PrismaClient, "auditEvent">,
  keys: ReadonlyMap<string, KeyObject> = trustedEventKeys(),
): Promise<(V1Seal & { position: bigint }) | null> {
  const rows: StoredRow[] = await client.auditEvent.findMany({
    where: { action: "audit.format_changed", formatVersion: 2 },
    orderBy: { position: "asc" },
  });
  const genuine = rows.find((row) => checkV2Row(row, keys).ok);
  const seal = genuine ? sealOf(genuine.data) : null;
  return seal && genuine ? { ...seal, position: genuine.position! } : null;
}

const SEAL_LOCK = 7_355_609;

export async function sealV1Log(
  client: PrismaClient,
): Promise<"no v1 rows" | "sealed" | "sealed before"> {
  return auditedTransaction(client, async (tx) => {
    // Two instances starting together write one seal.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEAL_LOCK})`;
    if (await findSeal(tx)) return "sealed before";
    const rows = await tx.auditEvent.findMany({
      where: { formatVersion: 1 },
      orderBy: { id: "asc" },
    });
    if (rows.length === 0) return "no v1 rows";
    const result = verifyChainSegment(
      rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
      null,
    );
    if (result.break)
      throw new Error(
        `Not sealing a broken v1 chain (event ${result.break.id}: ${result.break.problem}); run npm run audit:verify`,
      );
    const digest = new V1Digest();
    for (const row of rows) digest.add(row);
    const head = rows.findLast((row) => row.hash !== null);
    const legacy = rows.filter((row) => row.hash === null);
    await recordAudit(tx, {
      action: "audit.format_changed",
      outcome: "ALLOWED",
      actor: { type: "SYSTEM", name: "audit format switch" },
      data: {
        from: 1,
        to: 2,
        v1Rows: rows.length,
        chained: result.checked,
        firstId: rows[0]!.id.toString(),
        headId: (head ?? rows.at(-1)!).id.toString(),
        headHash: head?.hash ?? "",
        v1Digest: digest.hex(),
        ...(legacy.length <= 10_000 ? { legacyIds: legacy.map((row) => row.id.toString()) } : {}),
      },
    });
    return "sealed";
  });
}
