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
 *   (caseId, id) and (actorId, id) indexes are walked backward from `before`.
 * - an actor: the search (a substring, at least 3 characters, see audit-search.ts) is matched
 *   against the names the trail holds (AuditActorName, a few thousand rows, on its trigram index;
 *   resolveAuditSearch), then the events of exactly those names are read on the
 *   (actorName, createdAt, id) index, or by walking the page's order when they are many: the
 *   planner knows each name's share of the trail. A name no event holds reads nothing
 *   (docs/decisions/047).
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
import { AUDIT_READ_ACTIONS } from "@/lib/domain/audit-labels";
import { hidesReads, type AuditSearch } from "@/lib/domain/audit-search";
import { likeContains } from "@/lib/domain/like-pattern";

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

/**
 * At most this many actor names are named in a search's condition; a search matching more reads
 * them through a join with AuditActorName instead (the events are then many, and found by
 * walking the page's order).
 */
export const ACTOR_NAMES_NAMED = 1_000;

/**
 * A search whose actor part has been matched against the names the trail holds: `actorNames` is
 * the names (none when no event's actor matches), "many" past ACTOR_NAMES_NAMED, null without an
 * actor filter. Every read below takes one, so no read matches actors by reading events.
 */
export type ResolvedAuditSearch = AuditSearch & {
  readonly actorNames: readonly string[] | "many" | null;
};

/** Matches the search's actor against the names the trail holds (one read of a small table). */
export async function resolveAuditSearch(
  client: Pick<PrismaClient, "$queryRaw">,
  search: AuditSearch,
): Promise<ResolvedAuditSearch> {
  if (!search.actor) return { ...search, actorNames: null };
  const rows = await client.$queryRaw<{ name: string }[]>`
    SELECT "name" FROM "AuditActorName" WHERE "name" ILIKE ${likeContains(search.actor)}
    ORDER BY "name" LIMIT ${ACTOR_NAMES_NAMED + 1}`;
  return {
    ...search,
    actorNames: rows.length > ACTOR_NAMES_NAMED ? "many" : rows.map((row) => row.name),
  };
}

/** The filters as a condition on "AuditEvent" (TRUE when there are none). */
export function auditCondition(search: ResolvedAuditSearch): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (search.action) parts.push(Prisma.sql`"action" = ${search.action}`);
  if (search.outcome) parts.push(Prisma.sql`"outcome" = ${search.outcome}::"AuditOutcome"`);
  if (search.actor) parts.push(actorCondition(search.actor, search.actorNames));
  if (search.userId) parts.push(Prisma.sql`"subjectUserId" = ${search.userId}::uuid`);
  if (search.caseId) parts.push(Prisma.sql`"caseId" = ${search.caseId}::uuid`);
  const { gte, lt } = dayRange(search);
  if (gte) parts.push(Prisma.sql`"createdAt" >= ${gte.toISOString()}::timestamptz`);
  if (lt) parts.push(Prisma.sql`"createdAt" < ${lt.toISOString()}::timestamptz`);
  return parts.length > 0 ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

function actorCondition(actor: string, names: ResolvedAuditSearch["actorNames"]): Prisma.Sql {
  if (names === null)
    throw new Error("an actor search must be resolved first (resolveAuditSearch)");
  if (names === "many")
    return Prisma.sql`"actorName" IN (
      SELECT "name" FROM "AuditActorName" WHERE "name" ILIKE ${likeContains(actor)})`;
  if (names.length === 0) return Prisma.sql`FALSE`;
  return Prisma.sql`"actorName" = ANY(${[...names]}::text[])`;
}

/** A date range is read in (createdAt, id) order; everything else by id. */
export function readsByTime(search: AuditSearch): boolean {
  return Boolean(search.from || search.to);
}

/**
 * What the page shows: the filters, less the reads of the trail unless the reviewer shows them
 * (hidesReads, docs/decisions/026). The export reads auditCondition alone: it is the whole
 * trail a filter selects, reads included.
 */
export function auditPageCondition(search: ResolvedAuditSearch): Prisma.Sql {
  const where = auditCondition(search);
  return hidesReads(search)
    ? Prisma.sql`${where} AND "action" <> ALL(${[...AUDIT_READ_ACTIONS]}::text[])`
    : where;
}

/** The row `id`'s key in the page's order, compared in the database (microseconds). */
function keyOf(search: AuditSearch, id: bigint): Prisma.Sql {
  return readsByTime(search)
    ? Prisma.sql`(SELECT "createdAt", id FROM "AuditEvent" WHERE id = ${id})`
    : Prisma.sql`${id}`;
}

function keyColumns(search: AuditSearch): Prisma.Sql {
  return readsByTime(search) ? Prisma.sql`("createdAt", id)` : Prisma.sql`id`;
}

function keyOrder(search: AuditSearch, direction: "newest" | "oldest"): Prisma.Sql {
  const dir = direction === "newest" ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  return readsByTime(search)
    ? Prisma.sql`ORDER BY "createdAt" ${dir}, id ${dir}`
    : Prisma.sql`ORDER BY id ${dir}`;
}

/**
 * The query for the ids of one page. After the cursor `search.before` (the oldest id of the page
 * before), newest first; after `search.after` (the newest id of the page before), oldest first,
 * that is nearest the cursor first. With a date range the cursor row's (createdAt, id) is the
 * key; a cursor that names no row gives an empty page. (The benchmark EXPLAINs this same query.)
 */
export function auditPageQuery(search: ResolvedAuditSearch, take: number): Prisma.Sql {
  const where = auditPageCondition(search);
  const key = keyColumns(search);
  const cursor =
    search.before !== undefined
      ? Prisma.sql`AND ${key} < ${keyOf(search, BigInt(search.before))}`
      : search.after !== undefined
        ? Prisma.sql`AND ${key} > ${keyOf(search, BigInt(search.after))}`
        : Prisma.empty;
  return Prisma.sql`
    SELECT id FROM "AuditEvent" WHERE ${where} ${cursor}
    ${keyOrder(search, search.after !== undefined ? "oldest" : "newest")} LIMIT ${take}`;
}

/** The ids of one page (auditPageQuery), in the query's order: nearest the cursor first. */
export async function auditPageIds(
  client: Pick<PrismaClient, "$queryRaw">,
  search: ResolvedAuditSearch,
  take: number,
): Promise<bigint[]> {
  const rows = await client.$queryRaw<{ id: bigint }[]>(auditPageQuery(search, take));
  return rows.map((row) => BigInt(row.id));
}

/**
 * One page of rows in the query's order: newest first after `before` or from the top (up to
 * `take`; ask for one more than shown to know of a next page).
 */
export async function readAuditPage(client: Reader, search: ResolvedAuditSearch, take: number) {
  return rowsInOrder(client, await auditPageIds(client, search, take));
}

/** One page of the reviewer's page and where it can go from there. */
export type AuditPageWindow = {
  /** At most `size` ids, newest first. */
  ids: bigint[];
  /** The cursor of the page before (newer) and after (older), or null at either end. */
  newer: string | null;
  older: string | null;
};

/**
 * One page in either direction, newest first, and whether newer and older pages exist (each
 * known from one more row than the page: read in the page's direction, or a one-row probe the
 * other way). Paging newer onto the newest events gives the newest page itself, full, with no
 * cursor: the first page a reviewer sees when they come back to the top.
 */
export async function auditPageWindow(
  client: Pick<PrismaClient, "$queryRaw">,
  search: ResolvedAuditSearch,
  size: number = AUDIT_PAGE_SIZE,
): Promise<AuditPageWindow> {
  const probe = async (cursor: Pick<AuditSearch, "before" | "after">) =>
    (await auditPageIds(client, { ...search, before: undefined, after: undefined, ...cursor }, 1))
      .length > 0;
  if (search.after !== undefined) {
    const nearest = await auditPageIds(client, search, size + 1);
    if (nearest.length <= size)
      return auditPageWindow(client, { ...search, after: undefined }, size);
    const ids = nearest.slice(0, size).reverse();
    const oldest = ids.at(-1)!;
    return {
      ids,
      newer: ids[0]!.toString(),
      older: (await probe({ before: oldest.toString() })) ? oldest.toString() : null,
    };
  }
  const found = await auditPageIds(client, search, size + 1);
  const ids = found.slice(0, size);
  const newest = ids[0];
  const newer =
    search.before === undefined
      ? null
      : newest !== undefined
        ? (await probe({ after: newest.toString() }))
          ? newest.toString()
          : null
        : // An empty page after a cursor (the rows past it are gone from this view): back to
          // the newest page, if there is anything at all.
          (await probe({ after: search.before }))
          ? search.before
          : null;
  return { ids, newer, older: found.length > size ? ids.at(-1)!.toString() : null };
}

/** How many reads of the trail the page left out around its rows, walking at most this many rows. */
export const HIDDEN_READS_WALK = 2_000;

/**
 * The reads of the trail the page hides, counted so that the pages of one walk share them out
 * with none counted twice or missed, in either direction. The first page counts the reads newer
 * than its newest row too: the reviewer's own views, typically. Counted on a walk of at most
 * HIDDEN_READS_WALK rows in the page's own order, so it costs at most that much whatever the
 * table holds; `atLeast` when the walk stopped short. Null when the page hides nothing.
 */
export async function countHiddenReads(
  client: Pick<PrismaClient, "$queryRaw">,
  search: ResolvedAuditSearch,
  window: AuditPageWindow,
): Promise<{ count: number; atLeast: boolean } | null> {
  if (!hidesReads(search)) return null;
  const key = keyColumns(search);
  const newest = window.ids[0];
  const oldest = window.ids.at(-1);
  // Paging older, a page counts from the cursor it came from (or the top) down to its oldest row
  // (or the end); paging newer, from its newest row (or the top) down to the cursor it came from.
  // The newest page reached by paging newer counts down to that cursor, or to its own oldest row
  // if the cursor lies below it (a cursor that names no row).
  const upper =
    search.before !== undefined
      ? Prisma.sql`AND ${key} < ${keyOf(search, BigInt(search.before))}`
      : search.after !== undefined && window.newer !== null && newest !== undefined
        ? Prisma.sql`AND ${key} <= ${keyOf(search, newest)}`
        : Prisma.empty;
  const after = search.after !== undefined ? keyOf(search, BigInt(search.after)) : null;
  const lower =
    after !== null && window.newer !== null
      ? Prisma.sql`AND ${key} > ${after}`
      : after !== null && oldest !== undefined
        ? Prisma.sql`AND (${key} > ${after} OR ${key} >= ${keyOf(search, oldest)})`
        : window.older !== null && oldest !== undefined
          ? Prisma.sql`AND ${key} >= ${keyOf(search, oldest)}`
          : Prisma.empty;
  const [row] = await client.$queryRaw<{ hidden: number; walked: number }[]>`
    SELECT (count(*) FILTER (WHERE "action" = ANY(${[...AUDIT_READ_ACTIONS]}::text[])))::int AS hidden,
      count(*)::int AS walked
    FROM (
      SELECT "action" FROM "AuditEvent" WHERE ${auditCondition(search)} ${upper} ${lower}
      ${keyOrder(search, "newest")} LIMIT ${HIDDEN_READS_WALK}
    ) AS span`;
  return { count: row?.hidden ?? 0, atLeast: (row?.walked ?? 0) >= HIDDEN_READS_WALK };
}

/**
 * The filters as a condition for a walk in id order (the export's): with a date range, bounded to
 * the ids between the range's lowest and highest (taken from the (createdAt, id) index; exact,
 * whatever the order of times), so the walk reads only that stretch of the primary key.
 */
export async function exportCondition(
  client: Pick<Reader, "$queryRaw">,
  search: ResolvedAuditSearch,
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

/** The rows of these ids, in this order (the page's reads select ids first, decision 022). */
export async function rowsInOrder(client: Pick<PrismaClient, "auditEvent">, ids: bigint[]) {
  if (ids.length === 0) return [];
  const rows = await client.auditEvent.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
