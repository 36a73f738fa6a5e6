import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { auditWhere } from "./audit-where";
import type { AuditSearch } from "@/lib/domain/audit-search";
import { db } from "@/lib/db";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

export const AUDIT_PAGE_SIZE = 50;

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
  return {
    events: page.map((event) => ({ ...event, id: event.id.toString() })),
    nextBefore: events.length > AUDIT_PAGE_SIZE ? page.at(-1)!.id.toString() : null,
  };
}
