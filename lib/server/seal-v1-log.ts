/**
 * The switch from audit format v1 to v2 (docs/decisions/017-verifiable-audit-log.md). A log that
 * has v1 rows (a hash chain, written before the tree existed) gets one v2 event,
 * `audit.format_changed`, that names the v1 rows as they stand: their id range, their count, the
 * chain's head and length. Signed and in the tree like every v2 event, it seals the v1 part: a v1
 * row that appears later, or goes missing, no longer matches it. Run by the start script after
 * migrations, before the console serves (and harmless to run again).
 *
 * NOTE: not marked "server-only": the start script (plain Node) runs it.
 */
import type { PrismaClient } from "@/generated/prisma/client";
import { verifyChainSegment } from "@/lib/domain/audit-chain";
import { auditedTransaction, recordAudit } from "./audit";

export type V1Seal = {
  rows: number;
  chained: number;
  firstId: string;
  headId: string;
  headHash: string;
};

/** The seal an `audit.format_changed` payload states, or null if the payload is not one. */
export function sealOf(data: unknown): V1Seal | null {
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.v1Rows !== "number" || typeof d.chained !== "number") return null;
  if (typeof d.firstId !== "string" || typeof d.headId !== "string") return null;
  if (typeof d.headHash !== "string") return null;
  return {
    rows: d.v1Rows,
    chained: d.chained,
    firstId: d.firstId,
    headId: d.headId,
    headHash: d.headHash,
  };
}

const SEAL_LOCK = 7_355_609;

export async function sealV1Log(
  client: PrismaClient,
): Promise<"no v1 rows" | "sealed" | "sealed before"> {
  return auditedTransaction(client, async (tx) => {
    // Two instances starting together write one seal.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEAL_LOCK})`;
    if ((await tx.auditEvent.count({ where: { action: "audit.format_changed" } })) > 0)
      return "sealed before";
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
    const head = rows.findLast((row) => row.hash !== null);
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
      },
    });
    return "sealed";
  });
}
