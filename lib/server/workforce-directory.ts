/**
 * The workforce directory's queries, shared by the /users page (find-workforce-users.ts) and the
 * benchmark (scripts/bench/search.ts), so both run the same SQL (docs/decisions/022).
 *
 * NOTE: not marked "server-only", like audit-where.ts: the benchmark (plain Node) calls it with
 * its own client. The page calls it through find-workforce-users.ts with the app's.
 *
 * What a search means (a name, a phone number, part of an employee ID, `first.last`…) is read by
 * parseDirectoryQuery (lib/domain/directory-query.ts); here each reading becomes SQL, and the
 * matches are ranked: an exact identifier first, then names by how well they match (MATCH).
 *
 * What keeps a search flat as the directory grows:
 * - the matches are counted first, up to DIRECTORY_COUNT_CAP and no further ("1,000+ users"), in
 *   no particular order, so a name or address is counted from its trigram index (Prisma's count
 *   with `take` always orders by id, which reads the matches in primary-key order);
 * - then the page's ids, 25 and one more (to know whether there is a next page): under the cap,
 *   the matches found on their own indexes (at most the cap) sorted by (rank, name, id); past it,
 *   rank by rank, each rank's matches found on its own indexes when they are few, or read in
 *   (name, id) order from the index of that name when they are many and spread out; only when
 *   neither finds the page (matches sitting together, a deep page) are the rank's matches and
 *   those of later ranks sorted; then the page's rows by id;
 * - active passkeys are counted for the page's users only, in a second query on
 *   Passkey(userId, status); Prisma's `_count` of a relation aggregates the whole Passkey table.
 */
import { Prisma, type PrismaClient } from "@/generated/prisma/client";
import {
  DEFAULT_PHONE_REGIONS,
  MATCH,
  matchTier,
  parseDirectoryQuery,
  type DirectoryQuery,
} from "@/lib/domain/directory-query";
import type { DirectorySearch, EmploymentStatus, RiskTier } from "@/lib/domain/workforce";
import type { CountryCode } from "libphonenumber-js";
import { likeContains, likeExactly, likeStarts } from "@/lib/domain/like-pattern";
import { coverageCondition, WAVE_OF_USER } from "./rollout/coverage-sql";

export const DIRECTORY_PAGE_SIZE = 25;
/** Matches are counted up to this many; past it the page says "1,000+" and pages on. */
export const DIRECTORY_COUNT_CAP = 1000;

type Reader = Pick<PrismaClient, "$queryRaw" | "passkey">;
type Raw = Pick<PrismaClient, "$queryRaw">;

/**
 * The phone of record as E.164 digits, the way the expression index
 * "WorkforceUser_phone_digits_idx" computes it (migration 20261124110000_directory_search): the
 * digits, after dropping a "(0)" written between the country code and the number
 * ("+44 (0)20 …"). Phones of record are international ("+44 20 7946 0958"), as HR gives them.
 * Written here exactly as in the index, or PostgreSQL does not use it.
 */
const PHONE_DIGITS = Prisma.sql`regexp_replace(replace(u."phoneOfRecord", '(0)', ''), '[^0-9]', '', 'g')`;

/**
 * A test on a user's addresses (`e`), written three ways for three places:
 * - "semi": EXISTS, which the planner joins once (an address search alone);
 * - "array": the matching users' ids computed once, then looked up by primary key, so the test can
 *   sit in an OR beside a name test and both are served by indexes (a correlated EXISTS in an OR
 *   is run for every user);
 * - "perRow": a lookup of each user's addresses, for a walk that checks users one at a time and
 *   for the rank of a few rows (as EXISTS, the planner reads every address once to hash them).
 */
type AddressForm = "semi" | "array" | "perRow";
function anyAddress(test: Prisma.Sql, form: AddressForm): Prisma.Sql {
  if (form === "semi")
    return Prisma.sql`EXISTS (SELECT 1 FROM "WorkforceEmail" e WHERE e."userId" = u.id AND ${test})`;
  if (form === "array")
    return Prisma.sql`u.id = ANY (ARRAY(SELECT e."userId" FROM "WorkforceEmail" e WHERE ${test}))`;
  return Prisma.sql`coalesce((SELECT true FROM "WorkforceEmail" e WHERE e."userId" = u.id AND ${test} LIMIT 1), false)`;
}

/** A word at the start of a word of the name (a regular expression, the word taken literally). */
function wordStart(word: string): string {
  return `(^|[^[:alnum:]])${word.replace(/[\\^$.*+?()[\]{}|-]/g, (c) => `\\${c}`)}`;
}

/**
 * One way a user can match, with its MATCH code: `test` is a condition on "WorkforceUser" AS u.
 * `broadest` marks the way that every other way of the same reading implies: the search's
 * matches are the users meeting a broadest way of any reading.
 */
type Way = { code: number; broadest?: true; test: (form: AddressForm) => Prisma.Sql };

function ways(query: DirectoryQuery | null): Way[] {
  if (!query) return [];
  const found: Way[] = [];
  const add = (code: number, test: Way["test"], broadest = false) =>
    found.push(broadest ? { code, test, broadest } : { code, test });
  const id = query.employeeId;
  if (id) {
    add(MATCH.employeeId, () => Prisma.sql`u."employeeId" = ${id}`);
    add(MATCH.employeeIdStarts, () => Prisma.sql`u."employeeId" ILIKE ${likeStarts(id)}`);
    add(MATCH.employeeIdContains, () => Prisma.sql`u."employeeId" ILIKE ${likeContains(id)}`, true);
  }
  if (query.phones.length > 0) {
    const phones = Prisma.join(query.phones);
    add(MATCH.phone, () => Prisma.sql`${PHONE_DIGITS} IN (${phones})`, true);
  }
  const email = query.email;
  if (email) {
    // Only a whole address can be one exactly (and its local part makes the trigram lookup
    // selective; "@northwind.example" would read every address to find none).
    if (email.whole)
      add(MATCH.email, (form) =>
        anyAddress(Prisma.sql`e.address ILIKE ${likeExactly(email.text)}`, form),
      );
    add(
      MATCH.emailContains,
      (form) => anyAddress(Prisma.sql`e.address ILIKE ${likeContains(email.text)}`, form),
      true,
    );
  }
  const local = query.localPart;
  if (local) {
    const test = Prisma.sql`e.kind = 'work' AND e.address ILIKE ${likeStarts(`${local}@`)}`;
    add(MATCH.workAddress, (form) => anyAddress(test, form === "semi" ? "array" : form), true);
  }
  const name = query.name;
  if (name) {
    const fullNames = Prisma.join(name.fullNames.map((full) => Prisma.sql`lower(${full})`));
    add(MATCH.fullName, () => Prisma.sql`lower(u.name) IN (${fullNames})`);
    add(
      MATCH.nameStarts,
      () =>
        Prisma.sql`(${Prisma.join(
          name.fullNames.map((full) => Prisma.sql`lower(u.name) LIKE lower(${likeStarts(full)})`),
          " OR ",
        )})`,
    );
    // Row by row the regular expression alone decides; to find candidates, the trigram index
    // serves the substring test beside it.
    add(MATCH.wordsStart, (form) =>
      Prisma.join(
        name.words.map((word) =>
          form === "perRow"
            ? Prisma.sql`u.name ~* ${wordStart(word)}`
            : Prisma.sql`u.name ILIKE ${likeContains(word)} AND u.name ~* ${wordStart(word)}`,
        ),
        " AND ",
      ),
    );
    add(
      MATCH.nameContains,
      () =>
        Prisma.join(
          name.words.map((word) => Prisma.sql`u.name ILIKE ${likeContains(word)}`),
          " AND ",
        ),
      true,
    );
  }
  return found.sort((a, b) => a.code - b.code);
}

const any = (tests: Prisma.Sql[]) =>
  tests.length === 0
    ? Prisma.sql`FALSE`
    : Prisma.sql`(${Prisma.join(
        tests.map((test) => Prisma.sql`(${test})`),
        " OR ",
      )})`;

/** Tier and status, the filters beside the search, and the rollout report's. */
function filters(search: DirectorySearch): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (search.tier) parts.push(Prisma.sql`u."riskTier" = ${search.tier}::"RiskTier"`);
  if (search.status) parts.push(Prisma.sql`u."status" = ${search.status}::"EmploymentStatus"`);
  // The rollout report's links (docs/decisions/038): the same SQL as the figures they come from.
  if (search.department) parts.push(Prisma.sql`u.department = ${search.department}`);
  if (search.wave)
    parts.push(
      search.wave === "none"
        ? Prisma.sql`${WAVE_OF_USER} IS NULL`
        : Prisma.sql`${WAVE_OF_USER} = ${search.wave}::uuid`,
    );
  if (search.coverage) parts.push(coverageCondition(search.coverage));
  return parts;
}

const all = (parts: Prisma.Sql[]) =>
  parts.length > 0 ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;

/**
 * A search, read (parseDirectoryQuery) and turned into the conditions its queries need, all on
 * "WorkforceUser" AS u.
 */
export type DirectoryPlan = {
  /** Every match: the filters and, with a query, a broadest way of any reading. */
  where: Prisma.Sql;
  /** The MATCH code of a matching row (the best way it matches), checked row by row. */
  code: Prisma.Sql;
  /**
   * The tiers the search can rank a match in, best first, with each tier's own condition
   * (`where`) and that of every match ranked in it or after it (`rest`).
   */
  tiers: {
    tier: number;
    where: (form: AddressForm) => Prisma.Sql;
    rest: () => { where: Prisma.Sql; code: Prisma.Sql };
  }[];
  /** Nothing can match (a number that is not a phone number in any region the desk reads). */
  empty: boolean;
};

export function directoryPlan(
  search: DirectorySearch,
  regions: readonly CountryCode[] = DEFAULT_PHONE_REGIONS,
): DirectoryPlan {
  const query = parseDirectoryQuery(search.q, regions);
  const found = ways(query);
  const filtered = filters(search);
  if (!query)
    return {
      where: all(filtered),
      code: Prisma.raw(String(MATCH.everyone)),
      tiers: [
        {
          tier: matchTier(MATCH.everyone),
          where: () => all(filtered),
          rest: () => ({ where: all(filtered), code: Prisma.raw(String(MATCH.everyone)) }),
        },
      ],
      empty: false,
    };
  const broadest = found.filter((way) => way.broadest);
  // The codes are the module's own constants, written into the SQL (a parameter would be text).
  const codeOf = (ways: Way[]) =>
    ways.length === 0
      ? Prisma.sql`NULL`
      : Prisma.sql`CASE ${Prisma.join(
          ways.map(
            (way) => Prisma.sql`WHEN ${way.test("perRow")} THEN ${Prisma.raw(String(way.code))}`,
          ),
          " ",
        )} ELSE 99 END`;
  const code = codeOf(found);
  const tierNumbers = [...new Set(found.map((way) => matchTier(way.code)))];
  return {
    where: all([...filtered, any(broadest.map((way) => way.test("semi")))]),
    code,
    tiers: tierNumbers.map((tier) => {
      // A user is ranked by their best way: those matching a better tier are shown there.
      const better = found.filter((way) => matchTier(way.code) < tier);
      const notBetter =
        better.length > 0 ? [Prisma.sql`NOT ${any(better.map((way) => way.test("perRow")))}`] : [];
      return {
        tier,
        where: (form: AddressForm) => {
          const mine = found.filter((way) => matchTier(way.code) === tier);
          return all([...filtered, any(mine.map((way) => way.test(form))), ...notBetter]);
        },
        rest: () => ({
          where: all([...filtered, any(broadest.map((way) => way.test("semi"))), ...notBetter]),
          // The better tiers' ways are excluded already: only this tier's and later ones decide.
          code: codeOf(found.filter((way) => matchTier(way.code) >= tier)),
        }),
      };
    }),
    empty: found.length === 0,
  };
}

export type DirectoryPage = Awaited<ReturnType<typeof searchDirectory>>;
export type DirectoryRow = DirectoryPage["users"][number];

/**
 * One page of the directory. `total` is exact up to DIRECTORY_COUNT_CAP; past it `capped` is true,
 * `total` is the cap and `pageCount` is null (unknown): the page pages on with `hasNext`. Each row
 * carries `match`, the MATCH code of the best way it matched (null without a search).
 */
export async function searchDirectory(
  client: Reader,
  search: DirectorySearch,
  options: { phoneRegions?: readonly CountryCode[] } = {},
) {
  const plan = directoryPlan(search, options.phoneRegions);
  const [counted] = plan.empty
    ? [{ n: 0 }]
    : await client.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM "WorkforceUser" u WHERE ${plan.where} LIMIT ${DIRECTORY_COUNT_CAP + 1}) AS matching`;
  const count = counted?.n ?? 0;
  const capped = count > DIRECTORY_COUNT_CAP;
  const offset = (search.page - 1) * DIRECTORY_PAGE_SIZE;
  const take = DIRECTORY_PAGE_SIZE + 1;
  const ids =
    count === 0
      ? []
      : capped
        ? await rankedPastTheCap(client, plan, { offset, take })
        : await rankedUnderTheCap(client, plan, { offset, take });
  const shown = ids.slice(0, DIRECTORY_PAGE_SIZE);
  const [rows, active] = await Promise.all([
    pageRows(client, shown, search.q === undefined ? null : plan.code),
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
      return row ? [{ ...row, activePasskeys: active.get(id) ?? 0 }] : [];
    }),
  };
}

/**
 * What the list shows of the page's users, in one query: the HR record, the primary address and,
 * with a search, how each matched (its MATCH code).
 */
async function pageRows(client: Raw, ids: string[], code: Prisma.Sql | null) {
  if (ids.length === 0) return [];
  return client.$queryRaw<
    {
      id: string;
      employeeId: string;
      name: string;
      department: string;
      title: string;
      riskTier: RiskTier;
      status: EmploymentStatus;
      email: string | null;
      match: number | null;
    }[]
  >`
    SELECT u.id, u."employeeId", u.name, u.department, u.title, u."riskTier"::text AS "riskTier",
      u.status::text AS status,
      (SELECT e.address FROM "WorkforceEmail" e WHERE e."userId" = u.id AND e."isPrimary"
       ORDER BY e.address LIMIT 1) AS email,
      ${code ?? Prisma.sql`NULL`}::int AS match
    FROM "WorkforceUser" u
    WHERE u.id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))})`;
}

type PageWindow = { offset: number; take: number };

/** At most the cap of matches: found on their own indexes, ranked and sorted. */
async function rankedUnderTheCap(client: Raw, plan: DirectoryPlan, page: PageWindow) {
  const sorted = await client.$queryRaw<{ id: string }[]>`
    WITH matching AS MATERIALIZED (
      SELECT u.id, u.name, ${plan.code} AS code FROM "WorkforceUser" u WHERE ${plan.where})
    SELECT id FROM matching ORDER BY code / 10, name, id LIMIT ${page.take} OFFSET ${page.offset}`;
  return sorted.map((row) => row.id);
}

/**
 * Past the cap: tier by tier, best first, the first ids of each tier in (name, id) order until the
 * page is full. A tier's count is not known, so each gives at most as many as the page still
 * needs counting from the tier's start (the page's offset less what the better tiers held).
 */
async function rankedPastTheCap(client: Raw, plan: DirectoryPlan, page: PageWindow) {
  let skip = page.offset;
  const ids: string[] = [];
  for (const { tier, where, rest } of plan.tiers) {
    const want = skip + (page.take - ids.length);
    // One tier alone is the whole search: past the cap, it has more than the cap.
    const likely = tier >= matchTier(MATCH.wordsStart) || plan.tiers.length === 1 ? "many" : "few";
    const found = await tierIds(client, where, want, likely);
    // Neither way found this tier's part of the page: the rest of the search, sorted by rank.
    const list = found ?? (await sortedRest(client, rest(), want));
    if (list.length > skip) ids.push(...list.slice(skip));
    if (!found || ids.length >= page.take) break;
    // Fewer than wanted: the tier is complete, and the page goes on in the next.
    skip = Math.max(0, skip - list.length);
  }
  return ids.slice(0, page.take);
}

/** How many names in (name, id) order a search reads before it sorts its matches instead. */
const WALK_BUDGET = 5000;

/**
 * The first `want` ids of one tier in (name, id) order (all of them when it has fewer), found the
 * cheapest way for what the tier usually holds, or null when neither way finds them:
 *
 * - few: the tier's matches found on its own indexes, up to the cap, and sorted. The better tiers
 *   are usually few (an identifier, an exact name, the names starting with a full name), and are
 *   looked for this way first;
 * - walk: the first WALK_BUDGET names in (name, id) order are checked, which finds a page at once
 *   when the matches are spread over the alphabet (a last name, a word every name has: the tiers
 *   of names whose words start with or contain the search, and a search's only tier), which are
 *   walked first. A full page found there is exact, since any later match sorts after it;
 * - neither (more than the cap, sitting together: a first name late in the alphabet, or a deep
 *   page): the caller sorts (sortedRest). The planner, left to itself, walks the name order to
 *   the end in that case, assuming the matches spread evenly (95,000 names read for one page of
 *   "uma" in 100,000). For an address each name checked costs a lookup of the user's addresses:
 *   still bounded, and cheaper than sorting a domain everyone shares.
 */
async function tierIds(
  client: Raw,
  where: (form: AddressForm) => Prisma.Sql,
  want: number,
  likely: "few" | "many",
): Promise<string[] | null> {
  const few = async () => {
    const found = await client.$queryRaw<{ id: string }[]>`
      SELECT id FROM (
        SELECT u.id, u.name FROM "WorkforceUser" u WHERE ${where("semi")}
        LIMIT ${DIRECTORY_COUNT_CAP + 1}) AS found
      ORDER BY name, id`;
    return found.length <= DIRECTORY_COUNT_CAP ? found.slice(0, want).map((row) => row.id) : null;
  };
  const walk = async () => {
    const walked = await client.$queryRaw<{ id: string }[]>`
      SELECT id FROM (
        SELECT u.id, u.name, (${where("perRow")}) AS hit FROM "WorkforceUser" u
        ORDER BY u.name, u.id LIMIT ${WALK_BUDGET}) AS walked
      WHERE hit ORDER BY name, id LIMIT ${want}`;
    return walked.length === want ? walked.map((row) => row.id) : null;
  };
  // A tier that may be small is looked for on its indexes first; one that is likely many is
  // walked first. A walk cannot find more than it reads.
  if (likely === "few") return (await few()) ?? (want <= WALK_BUDGET ? await walk() : null);
  return want <= WALK_BUDGET ? await walk() : null;
}

/**
 * The first `want` ids of every match from one tier on (`rest`), sorted by (tier, name, id): when
 * neither way found a tier's part of the page, its matches and those of the tiers after it are
 * sorted together (often one set: the names containing "holm" are those whose words start with
 * it), instead of tier by tier.
 */
async function sortedRest(
  client: Raw,
  rest: { where: Prisma.Sql; code: Prisma.Sql },
  want: number,
) {
  const sorted = await client.$queryRaw<{ id: string }[]>`
    WITH matching AS MATERIALIZED (
      SELECT u.id, u.name, ${rest.code} AS code FROM "WorkforceUser" u WHERE ${rest.where})
    SELECT id FROM matching ORDER BY code / 10, name, id LIMIT ${want}`;
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
