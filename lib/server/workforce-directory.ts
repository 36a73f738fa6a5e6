/**
 * The workforce directory's queries, shared by the /users page (find-workforce-users.ts) and the
 * benchmark (scripts/bench/search.ts), so both run the same SQL (docs/decisions/022).
 *
 * NOTE: not marked "server-only", like audit-where.ts: the benchmark (plain Node) calls it with
 * its own client. The page calls it through find-workforce-users.ts with the app's.
 *
 * What keeps a search flat as the directory grows:
 * - the matches are counted first, up to DIRECTORY_COUNT_CAP and no further ("1,000+ users"), in
 *   no particular order, so a name or address is counted from its trigram index (Prisma's count
 *   with `take` always orders by id, which reads the matches in primary-key order);
 * - then the page's ids, 25 and one more (to know whether there is a next page): past the cap in
 *   (name, id) order from the index of that name, never sorted from every match; under it, from
 *   the matches found on their own index (at most the cap) and sorted; then the page's rows by id;
 * - active passkeys are counted for the page's users only, in a second query on
 *   Passkey(userId, status); Prisma's `_count` of a relation aggregates the whole Passkey table.
 */
import { Prisma, type PrismaClient } from "@/generated/prisma/client";
import { searchMode, type DirectorySearch } from "@/lib/domain/workforce";
import { likeContains } from "./like-pattern";

export const DIRECTORY_PAGE_SIZE = 25;
/** Matches are counted up to this many; past it the page says "1,000+" and pages on. */
export const DIRECTORY_COUNT_CAP = 1000;

type Reader = Pick<PrismaClient, "$queryRaw" | "workforceUser" | "passkey">;

/**
 * The search as a condition on "WorkforceUser" AS u: employee ID exactly, an email address or a
 * name by substring (ILIKE, served by the trigram indexes on both), tier and status. `perRow`
 * writes the address test as a lookup of each user's addresses, for a walk that checks users one
 * at a time (as EXISTS, the planner reads every address once to hash the matching users).
 */
export function directoryCondition(search: DirectorySearch, perRow = false): Prisma.Sql {
  const mode = searchMode(search.q);
  const q = search.q ?? "";
  const parts: Prisma.Sql[] = [];
  if (search.tier) parts.push(Prisma.sql`u."riskTier" = ${search.tier}::"RiskTier"`);
  if (search.status) parts.push(Prisma.sql`u."status" = ${search.status}::"EmploymentStatus"`);
  if (mode === "employeeId") parts.push(Prisma.sql`u."employeeId" = ${q.toUpperCase()}`);
  if (mode === "email")
    parts.push(
      perRow
        ? Prisma.sql`coalesce((SELECT true FROM "WorkforceEmail" e WHERE e."userId" = u.id AND e.address ILIKE ${likeContains(q)} LIMIT 1), false)`
        : Prisma.sql`EXISTS (SELECT 1 FROM "WorkforceEmail" e WHERE e."userId" = u.id AND e.address ILIKE ${likeContains(q)})`,
    );
  if (mode === "name") parts.push(Prisma.sql`u.name ILIKE ${likeContains(q)}`);
  return parts.length > 0 ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

export type DirectoryPage = Awaited<ReturnType<typeof searchDirectory>>;
export type DirectoryRow = DirectoryPage["users"][number];

/**
 * One page of the directory. `total` is exact up to DIRECTORY_COUNT_CAP; past it `capped` is true,
 * `total` is the cap and `pageCount` is null (unknown): the page pages on with `hasNext`.
 */
export async function searchDirectory(client: Reader, search: DirectorySearch) {
  const where = directoryCondition(search);
  const [counted] = await client.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM "WorkforceUser" u WHERE ${where} LIMIT ${DIRECTORY_COUNT_CAP + 1}) AS matching`;
  const count = counted?.n ?? 0;
  const capped = count > DIRECTORY_COUNT_CAP;
  const offset = (search.page - 1) * DIRECTORY_PAGE_SIZE;
  const take = DIRECTORY_PAGE_SIZE + 1;
  const ids = count === 0 ? [] : await pageIds(client, search, { capped, offset, take });
  const shown = ids.slice(0, DIRECTORY_PAGE_SIZE);
  const [rows, active] = await Promise.all([
    shown.length === 0
      ? []
      : client.workforceUser.findMany({
          where: { id: { in: shown } },
          select: {
            id: true,
            employeeId: true,
            name: true,
            department: true,
            title: true,
            riskTier: true,
            status: true,
            emails: { where: { isPrimary: true }, select: { address: true }, take: 1 },
          },
        }),
    activePasskeys(client, shown),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return {
    total: capped ? DIRECTORY_COUNT_CAP : count,
    capped,
    pageCount: capped ? null : Math.max(1, Math.ceil(count / DIRECTORY_PAGE_SIZE)),
    hasNext: ids.length > DIRECTORY_PAGE_SIZE,
    users: shown.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const { emails, ...user } = row;
      return [{ ...user, email: emails[0]?.address ?? null, activePasskeys: active.get(id) ?? 0 }];
    }),
  };
}

/** How many names in (name, id) order a search reads before it sorts its matches instead. */
const WALK_BUDGET = 5000;

/**
 * The ids of one page in (name, id) order. At most the cap of matches: they are found on their
 * own index (trigram, employee ID) and sorted. Past the cap: the first WALK_BUDGET names in order
 * are checked, which finds a page at once when the matches are spread over the alphabet (a last
 * name); when they are not found there (they sit together, such as a first name late in the
 * alphabet, or the page is deep), the matches are sorted as above. The planner, left to itself,
 * walks the name order to the end in that case, assuming the matches spread evenly (95,000 names
 * read for one page of "uma" in 100,000). For an email search each name checked costs a lookup of
 * the user's addresses: still bounded, and cheaper than sorting a domain everyone shares.
 */
async function pageIds(
  client: Pick<PrismaClient, "$queryRaw">,
  search: DirectorySearch,
  page: { capped: boolean; offset: number; take: number },
): Promise<string[]> {
  if (page.capped) {
    const walked = await client.$queryRaw<{ id: string }[]>`
      SELECT id FROM (
        SELECT u.id, u.name, (${directoryCondition(search, true)}) AS hit FROM "WorkforceUser" u
        ORDER BY u.name, u.id LIMIT ${WALK_BUDGET}) AS walked
      WHERE hit ORDER BY name, id LIMIT ${page.take} OFFSET ${page.offset}`;
    // A full page within the budget is exact: any match past it comes later in the order.
    if (walked.length === page.take) return walked.map((row) => row.id);
  }
  const sorted = await client.$queryRaw<{ id: string }[]>`
    WITH matching AS MATERIALIZED (
      SELECT u.id, u.name FROM "WorkforceUser" u WHERE ${directoryCondition(search)})
    SELECT id FROM matching ORDER BY name, id LIMIT ${page.take} OFFSET ${page.offset}`;
  return sorted.map((row) => row.id);
}

/** Active passkeys per user, for these users only (the index on Passkey(userId, status)). */
export async function activePasskeys(
  client: Pick<PrismaClient, "passkey">,
  userIds: string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const groups = await client.passkey.groupBy({
    by: ["userId"],
    where: { userId: { in: userIds }, status: "ACTIVE" },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.userId, group._count._all]));
}
