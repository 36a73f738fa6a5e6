/**
 * The reviewer's audit page on a real database (docs/decisions/026): keyset paging in both
 * directions, with and without a date range (whose order is (createdAt, id), which need not be
 * the id order), the reads of the trail hidden by default and counted page by page, and the
 * page's own use case (findAuditEvents) hiding the reviewer's own views.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_READ_ACTIONS } from "@/lib/domain/audit-labels";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import {
  auditPageWindow,
  countHiddenReads,
  resolveAuditSearch,
  type AuditPageWindow,
} from "@/lib/server/audit-where";
import { findAuditEvents } from "@/lib/server/find-audit-events";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";

const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

type Stored = { id: bigint; at: string; action: string; actor: string };
let stored: Stored[] = [];
const isRead = (row: Stored) => (AUDIT_READ_ACTIONS as readonly string[]).includes(row.action);

/**
 * 30 rows on 2026-04-10 and 2026-04-11 (UTC), every third a read of the trail (by Mei Lin), the
 * others decisions (by Priya Shah or Tom Becker), inserted in a scrambled order so that ids and
 * times disagree; two rows share an instant. Three more rows on 2026-04-09, outside the range.
 */
const ROWS = Array.from({ length: 33 }, (_, i) => {
  const read = i % 3 === 1;
  const minute = (i * 37) % 60;
  const day = i >= 30 ? "2026-04-09" : i % 2 === 0 ? "2026-04-10" : "2026-04-11";
  return {
    at: `${day}T${String(8 + (i % 9)).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00.${String(i % 7).padStart(6, "0")}Z`,
    action: read
      ? AUDIT_READ_ACTIONS[((i - 1) / 3) % AUDIT_READ_ACTIONS.length]!
      : i % 2
        ? "case.opened"
        : "access.denied",
    actor: read ? "Mei Lin" : i % 2 ? "Priya Shah" : "Tom Becker",
  };
});
ROWS[5]!.at = ROWS[3]!.at;
const ORDER = Array.from({ length: ROWS.length }, (_, i) => (i * 7) % ROWS.length);

beforeAll(async () => {
  await owner.connect();
  expect(new Set(ORDER).size).toBe(ROWS.length);
  // v1 rows (whose time is the writer's), with the audit table's triggers on: each row's actor
  // name goes into AuditActorName as any insert's does.
  await owner.query("BEGIN");
  for (const i of ORDER)
    await owner.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, "actorType", "actorName", data)
       VALUES (1, $1, $2, 'ALLOWED', 'STAFF', $3, '{}')`,
      [ROWS[i]!.at, ROWS[i]!.action, ROWS[i]!.actor],
    );
  await owner.query("COMMIT");
  const { rows } = await owner.query<{ id: string; at: string; action: string; actor: string }>(
    `SELECT id, to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
       action, "actorName" AS actor FROM "AuditEvent"`,
  );
  stored = rows.map((row) => ({ ...row, id: BigInt(row.id) }));
  expect(stored).toHaveLength(ROWS.length);
});

afterAll(async () => {
  await owner.end();
});

/** A search as the page reads it: parsed, its actor matched against the trail's names. */
const search = (input: Record<string, string | undefined>) =>
  resolveAuditSearch(
    db,
    AuditSearchSchema.parse(
      Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
    ),
  );

/** Newest first, worked out the plain way: by time then id with a date range, else by id. */
function expected(keep: (row: Stored) => boolean, order: "time" | "id") {
  return stored
    .filter(keep)
    .sort((a, b) =>
      order === "time" && a.at !== b.at ? (a.at < b.at ? 1 : -1) : Number(b.id - a.id),
    )
    .map((row) => row.id);
}

type Page = AuditPageWindow & { hidden: number };

/** Every page from the newest, following each page's "Older" cursor. */
async function walkOlder(input: Record<string, string>, size: number) {
  const pages: Page[] = [];
  let before: string | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const s = await search({ ...input, before });
    const window = await auditPageWindow(db, s, size);
    const hidden = await countHiddenReads(db, s, window);
    pages.push({ ...window, hidden: hidden?.count ?? 0 });
    if (!window.older) return pages;
    before = window.older;
  }
  throw new Error("no end to the pages");
}

/** From a page, every page back to the top, following each page's "Newer" cursor. */
async function walkNewer(input: Record<string, string>, size: number, after: string) {
  const pages: Page[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const s = await search({ ...input, after });
    const window = await auditPageWindow(db, s, size);
    const hidden = await countHiddenReads(db, s, window);
    pages.push({ ...window, hidden: hidden?.count ?? 0 });
    if (!window.newer) return pages;
    after = window.newer;
  }
  throw new Error("no end to the pages");
}

const onDays = (row: Stored) => row.at >= "2026-04-10";

describe("paging the audit page, both ways", () => {
  for (const [name, input, order, keep] of [
    ["the whole trail, by id", {}, "id", () => true],
    ["a date range, by time", { from: "2026-04-10", to: "2026-04-11" }, "time", onDays],
    ["an actor, by id", { actor: "priya" }, "id", (row: Stored) => row.actor === "Priya Shah"],
  ] as const) {
    it(`${name}: older to the end, then newer back to the top, no event twice or missed, reads hidden`, async () => {
      const want = expected((row) => keep(row) && !isRead(row), order);
      expect(want.length).toBeGreaterThan(7);
      for (const size of [1, 3, 7]) {
        const down = await walkOlder(input, size);
        expect(
          down.flatMap((page) => page.ids),
          `size ${size}`,
        ).toEqual(want);
        expect(down.every((page) => page.ids.length === size || page === down.at(-1))).toBe(true);
        // The first page has no newer page; each later one does, and only the last has no older.
        expect(down.map((page) => page.newer === null)).toEqual(down.map((_, i) => i === 0));
        expect(down.map((page) => page.older === null)).toEqual(
          down.map((_, i) => i === down.length - 1),
        );

        // From the oldest page, "Newer" walks back: the same events, and at the top the newest
        // page itself, full, with no newer page.
        const last = down.at(-1)!;
        const up = await walkNewer(input, size, last.newer ?? last.ids[0]!.toString());
        const top = up.at(-1)!;
        expect(top.ids).toEqual(want.slice(0, size));
        expect(top.newer).toBeNull();
        for (const page of up.slice(0, -1)) {
          expect(page.ids).toHaveLength(size);
          // Each page going up is a run of the trail, newest first, just above the one before.
          const start = want.indexOf(page.ids[0]!);
          expect(page.ids).toEqual(want.slice(start, start + size));
          expect(page.older).not.toBeNull();
        }
        // Together they cover everything above the oldest page, nothing twice.
        const seen = [...up.slice(0, -1).flatMap((page) => page.ids), ...top.ids];
        expect(new Set(seen).size).toBe(seen.length);
        expect(new Set([...seen, ...last.ids])).toEqual(new Set(want));
      }
    });
  }

  it("counts the hidden reads page by page, each once, in either direction", async () => {
    for (const [input, keep] of [
      [{}, () => true],
      [{ from: "2026-04-10", to: "2026-04-11" }, onDays],
    ] as const) {
      const reads = stored.filter((row) => keep(row) && isRead(row)).length;
      expect(reads).toBeGreaterThan(5);
      for (const size of [2, 5]) {
        const down = await walkOlder(input, size);
        expect(down.reduce((sum, page) => sum + page.hidden, 0)).toBe(reads);
        // Paging newer from the oldest page: every read above it, each once.
        const cursor = down.at(-1)!.ids[0]!;
        const up = await walkNewer(input, size, cursor.toString());
        const order = "from" in input ? "time" : "id";
        const ranked = expected((row) => keep(row), order);
        const above = ranked.slice(0, ranked.indexOf(cursor));
        expect(up.reduce((sum, page) => sum + page.hidden, 0)).toBe(
          stored.filter((row) => above.includes(row.id) && isRead(row)).length,
        );
      }
    }
    // The newest page's share: the reads newer than its oldest event, every one of them.
    const [first] = await walkOlder({}, 3);
    const oldestShown = first!.ids.at(-1)!;
    expect(first!.hidden).toBe(stored.filter((row) => isRead(row) && row.id > oldestShown).length);
  });

  it("shows the reads when asked, or when the reviewer picks a read action", async () => {
    const all = await auditPageWindow(db, await search({ reads: "shown" }), 100);
    expect(all.ids).toEqual(expected(() => true, "id"));
    expect(await countHiddenReads(db, await search({ reads: "shown" }), all)).toBeNull();
    const views = await auditPageWindow(db, await search({ action: "audit.viewed" }), 100);
    expect(views.ids).toEqual(expected((row) => row.action === "audit.viewed", "id"));
    expect(views.ids.length).toBeGreaterThan(0);
    const mei = await walkOlder({ actor: "Mei Lin", reads: "shown" }, 4);
    expect(mei.flatMap((page) => page.ids)).toEqual(
      expected((row) => row.actor === "Mei Lin", "id"),
    );
    // Hidden, a reviewer's reads leave an empty page, which says how many it hides.
    const hidden = await walkOlder({ actor: "Mei Lin" }, 4);
    expect(hidden).toHaveLength(1);
    expect(hidden[0]!.ids).toEqual([]);
    expect(hidden[0]!.hidden).toBe(stored.filter((row) => row.actor === "Mei Lin").length);
  });

  it("goes back to the newest page from a cursor past the top, and refuses two cursors at once", async () => {
    const newest = expected((row) => !isRead(row), "id");
    const past = await auditPageWindow(db, await search({ after: String(newest[0]! + 1000n) }), 3);
    expect(past).toEqual({ ids: newest.slice(0, 3), newer: null, older: String(newest[2]) });
    const parsed = AuditSearchSchema.safeParse({ before: "5", after: "7" });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.message)).toEqual(["Bad page cursor."]);
    expect(AuditSearchSchema.safeParse({ after: "x" }).success).toBe(false);
    expect(AuditSearchSchema.safeParse({ reads: "all" }).success).toBe(false);
  });
});

describe("findAuditEvents (the page's use case)", () => {
  it("hides the reviewer's own views by default, counts them, names the users the rows are about", async () => {
    const reviewer = await actor("SECURITY");
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { name: "Ada Lovelace", passkeys: 0 });
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: { type: "STAFF", id: agent.id, name: agent.name, role: "AGENT" },
        subjectUserId: user.id,
        data: { permission: "audit:read", path: "/audit" },
      }),
    );
    const first = await findAuditEvents({ actor: reviewer, search: await search({}) });
    const second = await findAuditEvents({ actor: reviewer, search: await search({}) });
    // The first view is on the trail, hidden from the second, and counted there.
    expect(second.events.some((event) => event.action === "audit.viewed")).toBe(false);
    expect(second.events[0]).toMatchObject({ action: "access.denied", subjectUserId: user.id });
    expect(second.hiddenReads!.count).toBeGreaterThanOrEqual(1);
    expect(second.hiddenReads!.count).toBeGreaterThan(first.hiddenReads!.count - 1);
    expect(second.userNames.get(user.id)).toBe("Ada Lovelace");
    const shown = await findAuditEvents({
      actor: reviewer,
      search: await search({ reads: "shown" }),
    });
    expect(shown.hiddenReads).toBeNull();
    expect(shown.events[0]).toMatchObject({ action: "audit.viewed", actorName: reviewer.name });
    // The view option and the cursors are not filters: the trail records what selected rows.
    const views = await db.auditEvent.findMany({
      where: { action: "audit.viewed", actorId: reviewer.id },
      orderBy: { id: "desc" },
    });
    expect(views).toHaveLength(3);
    expect(views[0]!.data).toEqual({ filters: {}, verified: false });
    // Filtered by a user, the page names them even before any row is shown.
    const filtered = await findAuditEvents({
      actor: reviewer,
      search: await search({ userId: user.id, before: "1" }),
    });
    expect(filtered.events).toEqual([]);
    expect(filtered.userNames.get(user.id)).toBe("Ada Lovelace");
  });
});
