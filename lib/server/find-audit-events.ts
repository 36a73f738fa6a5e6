import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { auditWhere } from "./audit-where";
import type { KeyObject } from "node:crypto";
import { checkV2Row, type StoredRow } from "@/lib/domain/audit-log-check";
import type { AuditSearch } from "@/lib/domain/audit-search";
import { db } from "@/lib/db";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import { trustedEventKeys } from "./audit-keys";
import type { RequestContext } from "./request-context";
import { sealOf } from "./seal-v1-log";
import type { CurrentStaff } from "./resume-staff-session";

export const AUDIT_PAGE_SIZE = 50;

/**
 * Why each row is not part of the log, or null: the same per-row check as the verifiers (a v2
 * row's signature, entry and position; a v1 row inside the sealed v1 chain's id range). A page
 * shows what it reads, marked, so a planted row never passes for a real event.
 */
export async function markRows(rows: StoredRow[]): Promise<(string | null)[]> {
  const keys = trustedEventKeys();
  const seal = rows.some((row) => row.formatVersion === 1) ? await findSeal(keys) : null;
  return rows.map((row) => {
    if (row.formatVersion === 1) {
      if (!seal) return "a v1 row, but no v1 log was sealed into this one";
      const inside = row.id >= BigInt(seal.firstId) && row.id <= BigInt(seal.headId);
      return inside ? null : "a v1 row outside the sealed v1 chain";
    }
    const check = checkV2Row(row, keys);
    return check.ok ? null : check.problem;
  });
}

async function findSeal(keys: ReadonlyMap<string, KeyObject>) {
  const rows = await db.auditEvent.findMany({
    where: { action: "audit.format_changed", formatVersion: 2 },
  });
  const genuine = rows.find((row) => checkV2Row(row, keys).ok);
  return genuine ? sealOf(genuine.data) : null;
}

/**
 * Searches the audit trail, newest first, a page at a time (keyset on id: as fast on the last
 * page as on the first). The read itself is recorded (docs/security-requirements.md H6).
 */
/** The filters as recorded in the audit trail of a read or an export. */
export function auditFilters(search: AuditSearch): Record<string, string> {
  return Object.fromEntries(
    Object.entries(search)
      .filter(([key, value]) => value !== undefined && key !== "before" && key !== "verify")
      .map(([k, v]) => [k, String(v)]),
  );
}

export async function findAuditEvents(input: {
  actor: CurrentStaff;
  search: AuditSearch;
  request?: RequestContext;
}) {
  const { search } = input;
  const where: Prisma.AuditEventWhereInput = {
    ...auditWhere(search),
    ...(search.before ? { id: { lt: BigInt(search.before) } } : {}),
  };
  const filters = auditFilters(search);
  const [events] = await Promise.all([
    db.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: AUDIT_PAGE_SIZE + 1 }),
    auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "audit.viewed",
        outcome: "ALLOWED",
        actor: staffActor(input.actor),
        data: { filters, verified: search.verify === "1" },
        request: input.request,
      }),
    ),
  ]);
  const page = events.slice(0, AUDIT_PAGE_SIZE);
  const marks = await markRows(page);
  return {
    events: page.map((event, i) => ({
      ...event,
      id: event.id.toString(),
      position: event.position?.toString() ?? null,
      entry: undefined,
      signature: undefined,
      /** Null when the row is part of the log; otherwise why it is not (decision 017). */
      notInLog: marks[i]!,
    })),
    nextBefore: events.length > AUDIT_PAGE_SIZE ? page.at(-1)!.id.toString() : null,
  };
}
