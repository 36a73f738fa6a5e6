/**
 * An attacker's review of the check receipts' reach back (docs/decisions/049-check-receipts.md,
 * "Deployments from before receipts"; checkBack in lib/server/audit-log-signer.ts): with database
 * access (the app role, or the owner with the triggers off) but without the event private key,
 * can the signer be made to issue a receipt that covers a position whose leaf in the signed tree
 * is not a row that passes checkV2Row, or be stopped through the reach back, and do the readers
 * still name (and the exports still leave out) what checking every signature does?
 *
 * "HELD: …" tests pin what resisted; "FIXED: …" tests were found broken against the code
 * reviewed (7913fc5) and pin the fix. Since that review the reach back stops a tile before its
 * failures would overflow the receipt instead of giving up the whole stretch, and the HELD tests
 * about the cap say so.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExportFormat } from "@/lib/domain/audit-export";
import { openReceipt, type OpenedReceipt } from "@/lib/domain/check-receipt";
import { eventLeafHash } from "@/lib/domain/tlog/proof";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { signRound, type RoundResult, type SignerConfig } from "@/lib/server/audit-log-signer";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { asOwner, insertV2 } from "@/tests/audit-tampering";
import { db } from "@/tests/db";
import {
  exportEventIds as sharedExportEventIds,
  forgery as sharedForgery,
  plantSql,
  type CheckpointRow,
} from "@/tests/receipt-review";

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const impostorKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
const config: SignerConfig = {
  origin: "console.test/review49b",
  privateKey: generateKeyPairSync("ed25519").privateKey,
  eventKeys: trustedEventKeys(),
  witnesses: [],
};

let n = 0;
/** One ordinary event, as the console writes it. */
async function decide() {
  n++;
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `w${n}` },
      data: { permission: "audit:read", path: `/${n}` },
    }),
  );
}

/** `count` ordinary events, a hundred to a transaction. */
async function bulk(count: number) {
  for (let done = 0; done < count; done += 100)
    await auditedTransaction(db, async (tx) => {
      for (let i = 0; i < Math.min(100, count - done); i++) {
        n++;
        await recordAudit(tx, {
          action: "access.denied",
          outcome: "REFUSED",
          actor: { type: "SYSTEM", name: `bulk ${n}` },
          data: { permission: "audit:read", path: `/bulk/${n}` },
        });
      }
    });
}

const forgery = () => sharedForgery(impostorKey);
const exportEventIds = (format: ExportFormat, checkpoint: CheckpointRow) =>
  sharedExportEventIds(owner, format, checkpoint, { batch: 200 });

/** As the owner: the genuine row at `position` put aside (in a table of its own), a forgery put in its place. */
function replaceWithForgery(id: number, position: number, bad = forgery()): [string, unknown[]?][] {
  return [
    [`CREATE TABLE IF NOT EXISTS "Parked" AS SELECT * FROM "AuditEvent" WHERE false`],
    [`INSERT INTO "Parked" SELECT * FROM "AuditEvent" WHERE "position" = $1`, [position]],
    [`DELETE FROM "AuditEvent" WHERE "position" = $1`, [position]],
    plantSql(id, position, bad),
  ];
}
function restoreGenuine(id: number, position: number): [string, unknown[]?][] {
  return [
    [`DELETE FROM "AuditEvent" WHERE id = $1`, [id]],
    [`INSERT INTO "AuditEvent" SELECT * FROM "Parked" WHERE "position" = $1`, [position]],
    [`DELETE FROM "Parked" WHERE "position" = $1`, [position]],
  ];
}

async function newestCheckpoint(): Promise<CheckpointRow> {
  const { rows } = await owner.query<{ size: string; note: string; receipt: string | null }>(
    `SELECT size, note, receipt FROM "AuditCheckpoint" ORDER BY size DESC LIMIT 1`,
  );
  return { ...rows[0]!, size: Number(rows[0]!.size) };
}
async function newestReceipt(): Promise<OpenedReceipt | null> {
  return openReceipt((await newestCheckpoint()).receipt, trustedEventKeys());
}

/** As before receipts: every checkpoint without one. */
const NULL_RECEIPTS: [string] = [`UPDATE "AuditCheckpoint" SET receipt = NULL`];

/** A new event, then a round. */
async function round(input: { backfill?: number; maxEvents?: number } = {}): Promise<RoundResult> {
  await decide();
  return signRound(db, config, { force: true, ...input });
}

/** Rounds (each after a new event) until the newest receipt reaches position 0. */
async function reachBackToZero(backfill: number): Promise<number[]> {
  const froms: number[] = [];
  for (let i = 0; i < 20; i++) {
    const result = await round({ backfill });
    expect(result.kind === "refused" ? result.problem : result.kind).toBe("signed");
    const receipt = (await newestReceipt())!;
    froms.push(receipt.from);
    if (receipt.from === 0) break;
  }
  return froms;
}

const verify = (everySignature = false) =>
  verifyAuditLog(db, { keys: trustedEventKeys(), everySignature });
const sortProblems = (problems: { id: string; position: string | null; problem: string }[]) =>
  [...problems].sort((a, b) =>
    `${a.id}/${a.position}/${a.problem}`.localeCompare(`${b.id}/${b.position}/${b.problem}`),
  );

/**
 * What a reader relying on the newest receipt says is what checking every signature says: the
 * verification names the same problems, and each export gives the same events as without the
 * receipt (every signature checked).
 */
async function readersAgree(formats: readonly ExportFormat[] = ["jsonl", "csv", "ocsf"]) {
  const relying = await verify();
  const everyOne = await verify(true);
  expect(relying.problemCount).toBe(everyOne.problemCount);
  expect(sortProblems(relying.problems)).toEqual(sortProblems(everyOne.problems));
  const checkpoint = await newestCheckpoint();
  for (const format of formats)
    expect(await exportEventIds(format, checkpoint)).toEqual(
      await exportEventIds(format, { ...checkpoint, receipt: null }),
    );
  return relying;
}

/** The leaf hash the stored level-0 tile of a tree of `size` holds at `position`. */
async function storedLeaf(position: number, size: number): Promise<Buffer> {
  const index = Math.floor(position / 256);
  const width = (index + 1) * 256 <= size ? 256 : size % 256;
  const { rows } = await owner.query<{ hashes: Buffer }>(
    `SELECT hashes FROM "AuditTile" WHERE level = 0 AND index = $1 AND width = $2`,
    [index, width],
  );
  const offset = (position % 256) * 32;
  return rows[0]!.hashes.subarray(offset, offset + 32);
}

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  // 1,400 events, checkpointed at exactly 512 (a multiple of 256), then up to the head, as a
  // deployment from before receipts had them: checkpoints without one.
  await bulk(1400);
  expect(await signRound(db, config, { force: true, maxEvents: 512 })).toMatchObject({
    kind: "signed",
    size: 512,
  });
  await asOwner(owner, [NULL_RECEIPTS]);
}, 120_000);
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

describe("rows and tiles rewritten below the receipt's first position", () => {
  it("HELD: a forgery, two swapped rows, a deleted row, a row with no position and a tile of another width planted beside the real one are all named, reaching back mid-tile from a size that is a multiple of 256", async () => {
    const bad = forgery();
    // The app role plants a level-0 tile of another width for the block holding 300, with the
    // forgery's leaf where 300's would be: the signer must read only the tree's own tile.
    const planted = Buffer.alloc(200 * 32, 9);
    eventLeafHash(bad.sig, bad.entry).copy(planted, (300 - 256) * 32);
    await app.query(
      `INSERT INTO "AuditTile" (level, index, width, hashes) VALUES (0, 1, 200, $1)`,
      [planted],
    );
    await asOwner(owner, [
      [`ALTER TABLE "AuditEvent" DROP CONSTRAINT "AuditEvent_v2_complete"`],
      ...replaceWithForgery(-300, 300, bad),
      [`UPDATE "AuditEvent" SET "position" = 5000100 WHERE "position" = 100`],
      [`UPDATE "AuditEvent" SET "position" = 100 WHERE "position" = 101`],
      [`UPDATE "AuditEvent" SET "position" = 101 WHERE "position" = 5000100`],
      [`DELETE FROM "AuditEvent" WHERE "position" = 200`],
      [`UPDATE "AuditEvent" SET "position" = NULL WHERE "position" = 201`],
    ]);
    // The first round extends the checkpoint of 512 (a whole number of tiles); each round then
    // reaches back 100, so every first position after the first is inside a tile.
    const froms = await reachBackToZero(100);
    expect(froms).toEqual([412, 312, 212, 112, 12, 0]);
    const receipt = (await newestReceipt())!;
    expect(receipt.flagged.filter((p) => p < 512)).toEqual([100, 101, 200, 201, 300]);
    for (const p of [100, 101, 200, 201, 300]) expect(receipt.covers(p)).toBe(false);
    expect(receipt.covers(99) && receipt.covers(102) && receipt.covers(299)).toBe(true);
    const report = await readersAgree();
    // (Two rows fewer hold a position than the tree has leaves: the walk's own size is smaller
    // than the newest checkpoint's, so it relies on an older receipt, which changes nothing named.)
    expect(report.receipt).not.toBeNull();
    expect(report.problems).toContainEqual({
      id: "-300",
      position: "300",
      problem: "the signature does not match the entry",
    });
    expect(await exportEventIds("csv", await newestCheckpoint())).not.toContain(
      bad.content.eventId,
    );
  }, 120_000);

  it("HELD: a level-0 tile rewritten to hold a forgery's leaf vouches for none of its positions", async () => {
    const size = (await newestCheckpoint()).size;
    const bad = forgery();
    const { rows } = await owner.query<{ hashes: Buffer }>(
      `SELECT hashes FROM "AuditTile" WHERE level = 0 AND index = 2 AND width = 256`,
    );
    const original = rows[0]!.hashes;
    const rewritten = Buffer.from(original);
    eventLeafHash(bad.sig, bad.entry).copy(rewritten, (530 - 512) * 32);
    await asOwner(owner, [
      ...replaceWithForgery(-530, 530, bad),
      [
        `UPDATE "AuditTile" SET hashes = $1 WHERE level = 0 AND index = 2 AND width = 256`,
        [rewritten],
      ],
      NULL_RECEIPTS,
    ]);
    try {
      expect(size).toBeGreaterThan(768);
      await reachBackToZero(2000);
      const receipt = (await newestReceipt())!;
      expect(receipt.from).toBe(0);
      for (let p = 512; p < 768; p++) expect(receipt.covers(p)).toBe(false);
      expect(receipt.covers(511) && receipt.covers(768)).toBe(true);
      await readersAgree();
      expect((await verify()).problems).toContainEqual({
        id: "-530",
        position: "530",
        problem: "the signature does not match the entry",
      });
    } finally {
      await asOwner(owner, [
        ...restoreGenuine(-530, 530),
        [
          `UPDATE "AuditTile" SET hashes = $1 WHERE level = 0 AND index = 2 AND width = 256`,
          [original],
        ],
      ]);
    }
  }, 120_000);

  it("HELD: a rewritten level-1 tile (the partial one every root reads) makes the signer refuse, issuing no receipt", async () => {
    const before = await newestCheckpoint();
    const width = Math.floor(before.size / 256);
    const { rows } = await owner.query<{ hashes: Buffer }>(
      `SELECT hashes FROM "AuditTile" WHERE level = 1 AND index = 0 AND width = $1`,
      [width],
    );
    const original = rows[0]!.hashes;
    const rewritten = Buffer.from(original);
    rewritten[0] = rewritten[0]! ^ 1;
    await asOwner(owner, [
      [
        `UPDATE "AuditTile" SET hashes = $1 WHERE level = 1 AND index = 0 AND width = $2`,
        [rewritten, width],
      ],
      NULL_RECEIPTS,
    ]);
    try {
      const result = await round({ backfill: 5000 });
      expect(result).toMatchObject({ kind: "refused" });
      expect((await newestCheckpoint()).size).toBe(before.size);
      expect(await newestReceipt()).toBeNull();
    } finally {
      await asOwner(owner, [
        [
          `UPDATE "AuditTile" SET hashes = $1 WHERE level = 1 AND index = 0 AND width = $2`,
          [original, width],
        ],
      ]);
    }
    expect(await round()).toMatchObject({ kind: "signed" });
  }, 60_000);

  it("HELD: rows rewritten inside the partial tile at the right edge are named", async () => {
    const size = (await newestCheckpoint()).size;
    const edge = Math.floor(size / 256) * 256;
    expect(size % 256).toBeGreaterThan(4);
    const bad = forgery();
    await asOwner(owner, [
      ...replaceWithForgery(-edge, edge, bad),
      [`UPDATE "AuditEvent" SET "position" = 5000001 WHERE "position" = $1`, [edge + 1]],
      [`UPDATE "AuditEvent" SET "position" = $1 WHERE "position" = $2`, [edge + 1, edge + 2]],
      [`UPDATE "AuditEvent" SET "position" = $1 WHERE "position" = 5000001`, [edge + 2]],
      NULL_RECEIPTS,
    ]);
    try {
      // One round, reaching back over the whole partial tile (it is the right edge of the tree
      // this round extends, and still inside the partial tile of the new size).
      expect(await round({ backfill: 256 })).toMatchObject({ kind: "signed" });
      const receipt = (await newestReceipt())!;
      expect(receipt.from).toBeLessThan(edge);
      expect(receipt.flagged).toEqual(expect.arrayContaining([edge, edge + 1, edge + 2]));
      expect(receipt.covers(edge + 3)).toBe(true);
      await readersAgree();
    } finally {
      await asOwner(owner, [
        ...restoreGenuine(-edge, edge),
        [`UPDATE "AuditEvent" SET "position" = 5000001 WHERE "position" = $1`, [edge + 1]],
        [`UPDATE "AuditEvent" SET "position" = $1 WHERE "position" = $2`, [edge + 1, edge + 2]],
        [`UPDATE "AuditEvent" SET "position" = $1 WHERE "position" = 5000001`, [edge + 2]],
      ]);
    }
  }, 60_000);

  it("HELD: a forgery beside the genuine row at a position (the unique index dropped) is never what the receipt vouches for", async () => {
    const bad = forgery();
    await asOwner(owner, [
      [`DROP INDEX "AuditEvent_position_key"`],
      plantSql(-400, 400, bad),
      plantSql(9_000_400, 401, forgery()),
      NULL_RECEIPTS,
    ]);
    try {
      await reachBackToZero(2000);
      const checkpoint = await newestCheckpoint();
      const receipt = (await newestReceipt())!;
      const { rows } = await owner.query<{ position: string; entry: Buffer; signature: Buffer }>(
        `SELECT "position", entry, signature FROM "AuditEvent"
          WHERE "position" IN (400, 401) AND id > 0 AND id < 9000000`,
      );
      expect(rows).toHaveLength(2);
      // Where the receipt vouches, the tree's leaf is the genuine row's, never the forgery's.
      for (const row of rows)
        if (receipt.covers(Number(row.position)))
          expect(
            (await storedLeaf(Number(row.position), checkpoint.size)).equals(
              eventLeafHash(row.signature, row.entry),
            ),
          ).toBe(true);
      const forgedLeaf = eventLeafHash(bad.sig, bad.entry);
      expect((await storedLeaf(400, checkpoint.size)).equals(forgedLeaf)).toBe(false);
      const report = await readersAgree();
      expect(report.problems.map((p) => p.id)).toEqual(expect.arrayContaining(["-400", "9000400"]));
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditEvent" WHERE id IN (-400, 9000400)`],
        [`CREATE UNIQUE INDEX "AuditEvent_position_key" ON "AuditEvent"("position")`],
      ]);
    }
  }, 120_000);

  it("HELD: rows at a negative and at a huge position change nothing the reach back vouches for, and the round still signs", async () => {
    const bad = forgery();
    // The new event first: the app's next position is the head's, and the head is about to move.
    await decide();
    const before = (await newestCheckpoint()).size;
    const { rows: head } = await owner.query<{ max: string }>(
      `SELECT max("position") AS max FROM "AuditEvent"`,
    );
    const headSize = Number(head[0]!.max) + 1;
    await asOwner(owner, [
      [`ALTER TABLE "AuditEvent" DROP CONSTRAINT "AuditEvent_position_from_zero"`],
      plantSql(-1, -1, bad),
      plantSql(-2, 2 ** 40, forgery()),
      NULL_RECEIPTS,
    ]);
    try {
      const result = await signRound(db, config, { force: true, backfill: 5000 });
      // The head is past a gap: the round signs the new event and stops at the gap.
      expect(result).toMatchObject({ kind: "signed", previousSize: before, size: headSize });
      const receipt = (await newestReceipt())!;
      expect(receipt).toMatchObject({ from: 0, size: headSize });
      expect(receipt.covers(-1)).toBe(false);
      expect(receipt.covers(2 ** 40)).toBe(false);
      const relying = await verify();
      expect(sortProblems(relying.problems)).toEqual(sortProblems((await verify(true)).problems));
      expect(relying.problems.map((p) => p.id)).toEqual(expect.arrayContaining(["-1", "-2"]));
      for (const format of ["csv", "ocsf"] as const)
        expect(await exportEventIds(format, await newestCheckpoint())).not.toContain(
          bad.content.eventId,
        );
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditEvent" WHERE id IN (-1, -2)`],
        // What the round appended meanwhile (its integrity alert) went past the huge position.
        [
          `UPDATE "AuditEvent" SET "position" = "position" - $1 WHERE "position" > $2`,
          [2 ** 40 + 1 - headSize, 2 ** 40],
        ],
        [
          `ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_position_from_zero" CHECK ("position" >= 0)`,
        ],
      ]);
    }
  }, 60_000);
});

describe("the receipt chain", () => {
  it("HELD: a genuine older receipt planted at the latest checkpoint is not continued: the next receipt starts at the tree it extends and reaches back only its own stretch", async () => {
    await reachBackToZero(5000);
    const { rows } = await owner.query<{ size: string; receipt: string | null }>(
      `SELECT size, receipt FROM "AuditCheckpoint" WHERE receipt IS NOT NULL ORDER BY size ASC LIMIT 1`,
    );
    const latest = await newestCheckpoint();
    expect(Number(rows[0]!.size)).toBeLessThan(latest.size);
    await asOwner(owner, [
      [
        `UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`,
        [rows[0]!.receipt, latest.size],
      ],
    ]);
    expect(await round({ backfill: 50 })).toMatchObject({ kind: "signed" });
    const receipt = (await newestReceipt())!;
    expect(receipt.from).toBe(latest.size - 50);
    expect(receipt.covers(latest.size - 51)).toBe(false);
    await readersAgree();
  }, 120_000);

  it("HELD: receipts nulled between rounds make each round start afresh one stretch below the tree it extends; a backfill of 0 reaches back nothing", async () => {
    for (const backfill of [30, 7, 0]) {
      await asOwner(owner, [NULL_RECEIPTS]);
      const oldSize = (await newestCheckpoint()).size;
      expect(await round({ backfill })).toMatchObject({ kind: "signed", previousSize: oldSize });
      const receipt = (await newestReceipt())!;
      expect(receipt.from).toBe(oldSize - backfill);
      expect(receipt.covers(oldSize - backfill - 1)).toBe(false);
    }
    await readersAgree();
  }, 60_000);

  it("HELD: a round that stops at a gap among the new events still reaches back, against the tree it signs up to the gap", async () => {
    await asOwner(owner, [NULL_RECEIPTS]);
    const oldSize = (await newestCheckpoint()).size;
    await decide();
    await decide();
    await decide();
    const gap = oldSize + 1;
    await asOwner(owner, [
      [`CREATE TABLE IF NOT EXISTS "Parked" AS SELECT * FROM "AuditEvent" WHERE false`],
      [`INSERT INTO "Parked" SELECT * FROM "AuditEvent" WHERE "position" = $1`, [gap]],
      [`DELETE FROM "AuditEvent" WHERE "position" = $1`, [gap]],
    ]);
    try {
      const result = await signRound(db, config, { force: true, backfill: 40 });
      expect(result).toMatchObject({
        kind: "signed",
        size: gap,
        stoppedAt: { position: String(gap) },
      });
      const receipt = (await newestReceipt())!;
      expect(receipt).toMatchObject({ from: oldSize - 40, size: gap, flagged: [] });
      expect(receipt.covers(gap)).toBe(false);
    } finally {
      await asOwner(owner, [
        [`INSERT INTO "AuditEvent" SELECT * FROM "Parked" WHERE "position" = $1`, [gap]],
        [`DELETE FROM "Parked" WHERE "position" = $1`, [gap]],
      ]);
    }
    expect(await round({ backfill: 40 })).toMatchObject({ kind: "signed" });
    await readersAgree();
  }, 60_000);
});

describe("the cap and the signer's availability", () => {
  it("HELD: tiles missing or cut short below put the reach back over the cap: the round still signs, the receipt reaches back a tile at a time as far as its room allows and stays there, and vouches for none of them", async () => {
    const { rows: saved } = await owner.query<{ index: string; hashes: Buffer }>(
      `SELECT index, hashes FROM "AuditTile" WHERE level = 0 AND width = 256 AND index < 4`,
    );
    expect(saved).toHaveLength(4);
    await asOwner(owner, [
      [`DELETE FROM "AuditTile" WHERE level = 0 AND width = 256 AND index < 3`],
      [
        `UPDATE "AuditTile" SET hashes = substring(hashes from 1 for 31) WHERE level = 0 AND width = 256 AND index = 3`,
      ],
      NULL_RECEIPTS,
    ]);
    try {
      const froms: number[] = [];
      for (let i = 0; i < 3; i++) {
        const oldSize = (await newestCheckpoint()).size;
        // 1,024 positions that cannot be shown to be the tree's: more than a receipt can name.
        expect(await round({ backfill: 5000 })).toMatchObject({
          kind: "signed",
          previousSize: oldSize,
        });
        const receipt = (await newestReceipt())!;
        froms.push(receipt.from);
        for (const p of [0, 255, 256, 700, 1023]) expect(receipt.covers(p)).toBe(false);
      }
      const first = froms[0]!;
      expect(froms).toEqual([first, first, first]);
      // It stops at a tile's edge, before the tile whose failures would not fit.
      expect(first % 256).toBe(0);
      expect(first).toBeGreaterThan(0);
      await readersAgree(["csv", "ocsf"]);
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditTile" WHERE level = 0 AND width = 256 AND index = 3`],
        ...saved.map(
          (tile) =>
            [
              `INSERT INTO "AuditTile" (level, index, width, hashes) VALUES (0, $1, 256, $2)`,
              [tile.index, tile.hashes],
            ] as [string, unknown[]],
        ),
      ]);
    }
  }, 120_000);
});

describe("what the signer says about what it finds below", () => {
  it("FIXED: a checkpointed row the reach back finds replaced by a forgery is reported in a signed integrity alert, not only left out of the receipt", async () => {
    const bad = forgery();
    await asOwner(owner, [...replaceWithForgery(-700, 700, bad), NULL_RECEIPTS]);
    try {
      const result = await round({ backfill: 5000 });
      expect(result).toMatchObject({ kind: "signed" });
      // The receipt is right: 700 is checked and failed.
      const receipt = (await newestReceipt())!;
      expect(receipt.from).toBeLessThan(700);
      expect(receipt.flagged).toContain(700);
      // But nobody is told: the receipt is never shown to anyone, the round's result names only
      // the new part of the tree, and no integrity alert names the forgery the signer met.
      const alerts = await db.auditEvent.findMany({
        where: { action: "audit.integrity_alert", formatVersion: 2 },
        orderBy: { position: "desc" },
      });
      const said = JSON.stringify(alerts.map((alert) => alert.data));
      expect(said).toContain("position 700");
    } finally {
      await asOwner(owner, restoreGenuine(-700, 700));
    }
  }, 60_000);
});

describe("the cap reached by the app role", () => {
  it("HELD: 1,001 forgeries appended by the app role end the chain; the next receipt starts at the tree it extends, reaches back as far as its room allows and stays there round after round, vouching for none of them", async () => {
    const planted: number[] = [];
    for (let i = 0; i < 1001; i++) {
      const bad = forgery();
      planted.push(Number((await insertV2(app, bad.content, bad.entry, bad.sig)).position));
    }
    // The round that meets them: more failed positions than a receipt can name.
    expect(await round()).toMatchObject({ kind: "signed" });
    expect((await newestCheckpoint()).receipt).toBeNull();
    // The next rounds start afresh and reach back over the forgeries, a tile at a time, until the
    // next tile's failures would not fit: the receipt stops there, and later rounds check one
    // tile more each, not the whole stretch again.
    const froms: number[] = [];
    let start = 0;
    for (let i = 0; i < 3; i++) {
      const result = await round();
      expect(result).toMatchObject({ kind: "signed" });
      if (i === 0 && result.kind === "signed") start = result.previousSize;
      const receipt = (await newestReceipt())!;
      froms.push(receipt.from);
      expect(planted.some((p) => receipt.covers(p))).toBe(false);
    }
    expect(froms).toEqual([froms[0], froms[0], froms[0]]);
    expect(froms[0]).toBeLessThan(start);
    expect(froms[0]).toBeGreaterThan(planted[0]!);
    const report = await verify();
    expect(report.problemCount).toBe((await verify(true)).problemCount);
    expect(report.problemCount).toBeGreaterThanOrEqual(1001);
    const csv = await exportEventIds("csv", await newestCheckpoint());
    expect(csv).toEqual(
      await exportEventIds("csv", { ...(await newestCheckpoint()), receipt: null }),
    );
  }, 180_000);
});
