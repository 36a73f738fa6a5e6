/**
 * The reviewer console's filters as one SQL condition, and the reads built on it: the single
 * place filters become a condition, shared by the audit page (find-audit-events.ts), the export
 * (export-audit-events.ts) and the benchmark (scripts/bench/search.ts). docs/decisions/022.
 *
 * NOTE: not marked "server-only": the benchmark (plain Node) runs the same queries.
 *
 * Each filter has an index, and each read has a shape the planner serves in the order it returns
 * rows, so that a page costs about the same at ten thousand events as at a million:
 * - no date range: newest first by id. The id (primary key), (action, id), (subjectUserId, id),
 *   (caseId, id) and (actorId, id) indexes are walked backward from `before`; an actor's name is
 *   a substring matched on a trigram index (at least 3 characters, see audit-search.ts).
 * - a date range: newest first by (createdAt, id), walked backward on that index from the end of
 *   the range (or from the cursor row). Read by id instead, the planner walks the primary key
 *   backward past every newer row (739,000 rows for a day 300 days ago in a million), because it
 *   does not know ids and times rise together; and they need not: the owner can move a row's
 *   createdAt, the application role can plant a v1 row at any time, a clock can step back. This
 *   order is exact whatever the rows say. For the log's own rows, appended one transaction at a
 *   time under the append lock with the database's clock (decision 017), it is the id order.
 * - the export reads every match by id, oldest first (the export's verifier wants positions to
 *   rise), through a cursor of its own (audit-rows.ts, decision 021); with a date range its
 *   condition (exportCondition) is bounded to the range's lowest and highest id, taken from the
 *   (createdAt, id) index, so the cursor walks only that stretch of the primary key.
 */
import { Prisma, type PrismaClient } from "@/generated/prisma/client";
import type { AuditSearch } from "@/lib/domain/audit-search";
import { likeContains } from "./like-pattern";

export const AUDIT_PAGE_SIZE = 50;

type Reader = Pick<PrismaClient, "$queryRaw" | "auditEvent">;

const DAY_MS = 86_400_000;

/** The instants a day filter covers (UTC): from the start of `from` to the end of `to`. */
export function dayRange(search: Pick<AuditSearch, "from" | "to">): {
  gte: Date | null;
  lt: Date | null;
} {
  return {
    gte: search.from ? new Date(`${search.from}T00:00:00Z`) : null,
    lt: search.to ? new Date(new Date(`${search.to}T00:00:00Z`).getTime() + DAY_MS) : null,
  };
}

/** The filters as a condition on "AuditEvent" (TRUE when there are none). */
export function auditCondition(search: AuditSearch): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (search.action) parts.push(Prisma.sql`"action" = ${search.action}`);
  if (search.outcome) parts.push(Prisma.sql`"outcome" = ${search.outcome}::"AuditOutcome"`);
  if (search.actor) parts.push(Prisma.sql`"actorName" ILIKE ${likeContains(search.actor)}`);
  if (search.userId) parts.push(Prisma.sql`"subjectUserId" = ${search.userId}::uuid`);
  if (search.caseId) parts.push(Prisma.sql`"caseId" = ${search.caseId}::uuid`);
  const { gte, lt } = dayRange(search);
  if (gte) parts.push(Prisma.sql`"createdAt" >= ${gte.toISOString()}::timestamptz`);
  if (lt) parts.push(Prisma.sql`"createdAt" < ${lt.toISOString()}::timestamptz`);
  return parts.length > 0 ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

/** A date range is read in (createdAt, id) order; everything else by id. */
export function readsByTime(search: AuditSearch): boolean {
  return Boolean(search.from || search.to);
}

/**
 * The query for the ids of one page, newest first, after the cursor `search.before` (the last id
 * of the previous page). With a date range the cursor row's (createdAt, id) is the key; a cursor
 * that names no row gives an empty page. (The benchmark EXPLAINs this same query.)
 */
export function auditPageQuery(search: AuditSearch, take: number): Prisma.Sql {
  const where = auditCondition(search);
  const before = search.before === undefined ? null : BigInt(search.before);
  return readsByTime(search)
    ? Prisma.sql`
        SELECT id FROM "AuditEvent" WHERE ${where}
        ${
          before === null
            ? Prisma.empty
            : Prisma.sql`AND ("createdAt", id) < (SELECT "createdAt", id FROM "AuditEvent" WHERE id = ${before})`
        }
        ORDER BY "createdAt" DESC, id DESC LIMIT ${take}`
    : Prisma.sql`
        SELECT id FROM "AuditEvent" WHERE ${where}
        ${before === null ? Prisma.empty : Prisma.sql`AND id < ${before}`}
        ORDER BY id DESC LIMIT ${take}`;
}

/** The ids of one page (auditPageQuery). */
export async function auditPageIds(
  client: Pick<PrismaClient, "$queryRaw">,
  search: AuditSearch,
  take: number,
): Promise<bigint[]> {
  const rows = await client.$queryRaw<{ id: bigint }[]>(auditPageQuery(search, take));
  return rows.map((row) => BigInt(row.id));
}

/** One page of rows, newest first (up to `take`; ask for one more than shown to know of a next page). */
export async function readAuditPage(client: Reader, search: AuditSearch, take: number) {
  return rowsInOrder(client, await auditPageIds(client, search, take));
}

/**
 * The filters as a condition for a walk in id order (the export's): with a date range, bounded to
 * the ids between the range's lowest and highest (taken from the (createdAt, id) index; exact,
 * whatever the order of times), so the walk reads only that stretch of the primary key.
 */
export async function exportCondition(
  client: Pick<Reader, "$queryRaw">,
  search: AuditSearch,
): Promise<Prisma.Sql> {
  const where = auditCondition(search);
  if (!readsByTime(search)) return where;
  // OFFSET 0 keeps the planner from turning min/max into a walk of the primary key.
  const [range] = await client.$queryRaw<{ first: bigint | null; last: bigint | null }[]>`
    SELECT min(id) AS first, max(id) AS last
    FROM (SELECT id FROM "AuditEvent" WHERE ${where} OFFSET 0) AS matching`;
  if (!range || range.first === null || range.last === null) return Prisma.sql`FALSE`;
  return Prisma.sql`${where} AND id BETWEEN ${BigInt(range.first)} AND ${BigInt(range.last)}`;
}

async function rowsInOrder(client: Pick<PrismaClient, "auditEvent">, ids: bigint[]) {
  if (ids.length === 0) return [];
  const rows = await client.auditEvent.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
