/**
 * Verifies the whole audit chain in id order, in batches (memory stays flat). Used by the
 * reviewer page and by `npm run audit:verify`.
 *
 * NOTE: not marked "server-only" because the verify command (plain Node) runs it with its own client.
 */
import type { PrismaClient } from "@/generated/prisma/client";
import { verifyChainSegment, type ChainBreak } from "@/lib/domain/audit-chain";

const BATCH = 5000;

export type ChainReport = {
  ok: boolean;
  checked: number;
  legacy: number;
  head: { id: string; hash: string } | null;
  firstBreak: (Omit<ChainBreak, "id"> & { id: string }) | null;
};

export async function verifyAuditChain(
  client: Pick<PrismaClient, "auditEvent">,
): Promise<ChainReport> {
  let after = -1n;
  let previous: string | null = null;
  let head: ChainReport["head"] = null;
  let checked = 0;
  let legacy = 0;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { id: { gt: after } },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (rows.length === 0) break;
    const events = rows.map((row) => ({
      id: row.id,
      // Read, never assumed: a row in a format this code does not know is reported as a break.
      formatVersion: row.formatVersion,
      prevHash: row.prevHash,
      hash: row.hash,
      createdAt: row.createdAt.toISOString(),
      action: row.action,
      outcome: row.outcome,
      reason: row.reason,
      actorType: row.actorType,
      actorId: row.actorId,
      actorName: row.actorName,
      actorRole: row.actorRole,
      targetType: row.targetType,
      targetId: row.targetId,
      subjectUserId: row.subjectUserId,
      caseId: row.caseId,
      requestId: row.requestId,
      ip: row.ip,
      data: row.data,
    }));
    if (previous === null)
      legacy +=
        events.findIndex((e) => e.hash !== null) === -1
          ? events.length
          : events.findIndex((e) => e.hash !== null);
    const result = verifyChainSegment(events, previous);
    checked += result.checked;
    if (result.break)
      return {
        ok: false,
        checked,
        legacy,
        head,
        firstBreak: { ...result.break, id: result.break.id.toString() },
      };
    previous = result.last;
    const last = rows.at(-1)!;
    if (last.hash) head = { id: last.id.toString(), hash: last.hash };
    after = last.id;
  }
  return { ok: true, checked, legacy, head, firstBreak: null };
}
