import "server-only";
import { db } from "@/lib/db";
import { AUDIT_FORMAT_V2 } from "@/lib/domain/audit-entry";
import { DomainError } from "@/lib/domain/errors";
import { can, type StaffRole } from "@/lib/domain/roles";
import { describeSink, type SiemFormat, type SiemSink } from "@/lib/domain/siem-sinks";
import { siemSinks } from "@/lib/env";

export type SiemSinkStatus = {
  name: string;
  type: SiemSink["type"];
  format: SiemFormat;
  /** Where it sends, without the key, credentials or a query string. */
  destination: string;
  /** The last acknowledged position; null before the first. */
  position: bigint | null;
  /** Events written and not yet acknowledged: the newest position less the cursor. */
  lag: bigint;
  lastSuccessAt: Date | null;
  lastError: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  /** Dead letters not yet replayed, and all of them. */
  deadLetters: { waiting: number; total: number };
};

/**
 * The reviewer page's view of the SIEM stream: each configured sink, how far it has got, and
 * what went wrong. Only for staff who may read the audit trail (a 403 for anyone else). Never
 * the HMAC key or the variable or file it comes from.
 */
export async function getSiemSinkStatus(
  actor: { role: StaffRole },
  sinks: readonly SiemSink[] = siemSinks(),
): Promise<SiemSinkStatus[]> {
  if (!can(actor.role, "audit:read"))
    throw new DomainError("FORBIDDEN", "Only security reviewers see the SIEM stream.");
  if (sinks.length === 0) return [];
  const names = sinks.map((sink) => sink.name);
  const [head, cursors, waiting, total] = await Promise.all([
    db.auditEvent.aggregate({
      where: { formatVersion: AUDIT_FORMAT_V2 },
      _max: { position: true },
    }),
    db.siemCursor.findMany({ where: { sink: { in: names } } }),
    db.siemDeadLetter.groupBy({
      by: ["sink"],
      where: { sink: { in: names }, replayedAt: null },
      _count: { _all: true },
    }),
    db.siemDeadLetter.groupBy({
      by: ["sink"],
      where: { sink: { in: names } },
      _count: { _all: true },
    }),
  ]);
  const newest = head._max.position ?? -1n;
  return sinks.map((sink) => {
    const cursor = cursors.find((row) => row.sink === sink.name);
    const position = cursor && cursor.position >= 0n ? cursor.position : null;
    const acknowledged = position ?? -1n;
    return {
      name: sink.name,
      type: sink.type,
      format: sink.format,
      destination: describeSink(sink),
      position,
      lag: newest > acknowledged ? newest - acknowledged : 0n,
      lastSuccessAt: cursor?.lastSuccessAt ?? null,
      lastError: cursor?.lastError ?? null,
      attempts: cursor?.attempts ?? 0,
      nextAttemptAt: cursor && cursor.attempts > 0 ? cursor.nextAttemptAt : null,
      deadLetters: {
        waiting: waiting.find((row) => row.sink === sink.name)?._count._all ?? 0,
        total: total.find((row) => row.sink === sink.name)?._count._all ?? 0,
      },
    };
  });
}
