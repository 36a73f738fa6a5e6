/**
 * An attacker's review of decision 049 (docs/decisions/049-check-receipts.md): with database
 * access (the app role, or the owner with the triggers off) but without the event private key,
 * can a row whose signature does not verify be accepted by the default full verification or
 * exported as an event, and do the readers still name what they named before receipts?
 *
 * "HELD: …" tests pin what resisted; "FIXED: …" tests were found broken against the code
 * reviewed (57b658e) and pin the fix.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryBytes, eventKeyId, signEntry, type EntryContent } from "@/lib/domain/audit-entry";
import type { ExportFormat } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import {
  MAX_RECEIPT_FLAGGED,
  nextReceipt,
  openReceipt,
  signReceipt,
} from "@/lib/domain/check-receipt";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { auditExportStream } from "@/lib/server/audit-export-stream";
import { eventSigner, trustedEventKeys } from "@/lib/server/audit-keys";
import { signRound, type SignerConfig } from "@/lib/server/audit-log-signer";
import { auditWhereSql } from "@/lib/server/audit-rows";
import { nodeHash } from "@/lib/domain/tlog/merkle";
import { eventLeafHash } from "@/lib/domain/tlog/proof";
import { auditCondition } from "@/lib/server/audit-where";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { asOwner, forgedContent, insertV2 } from "@/tests/audit-tampering";
import { db } from "@/tests/db";
import {
  exportEventIds as sharedExportEventIds,
  forgery as sharedForgery,
  plantSql,
  type CheckpointRow,
} from "@/tests/receipt-review";

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const checkpointKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
const impostorKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
const config: SignerConfig = {
  origin: "console.test/review49",
  privateKey: checkpointKey,
  eventKeys: trustedEventKeys(),
  witnesses: [],
};

async function decide(n: number) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `w${n}` },
      data: { permission: "audit:read", path: `/${n}` },
    }),
  );
}

const forgery = () => sharedForgery(impostorKey);
const exportEventIds = (
  format: ExportFormat,
  checkpoint: CheckpointRow | null,
  search: Record<string, unknown> = {},
) => sharedExportEventIds(owner, format, checkpoint, { search });

const DROP_POSITION_INDEX: [string] = [`DROP INDEX "AuditEvent_position_key"`];
const CREATE_POSITION_INDEX: [string] = [
  `CREATE UNIQUE INDEX "AuditEvent_position_key" ON "AuditEvent"("position")`,
];

async function checkpoints(): Promise<CheckpointRow[]> {
  const { rows } = await owner.query<{ size: string; note: string; receipt: string | null }>(
    `SELECT size, note, receipt FROM "AuditCheckpoint" ORDER BY size DESC`,
  );
  return rows.map((row) => ({ ...row, size: Number(row.size) }));
}

const verify = (everySignature = false) =>
  verifyAuditLog(db, { keys: trustedEventKeys(), everySignature });
const sortProblems = (problems: { id: string; position: string | null; problem: string }[]) =>
  [...problems].sort((a, b) => `${a.id}/${a.problem}`.localeCompare(`${b.id}/${b.problem}`));

/** The positions a JSON Lines export leaves out, with the reason it gives for each. */
async function excludedReasons(checkpoint: CheckpointRow): Promise<Map<number, string>> {
  const stream = await auditExportStream({
    databaseUrl: process.env.DATABASE_URL!,
    tiles: db,
    where: auditWhereSql(auditCondition({ ...AuditSearchSchema.parse({}), actorNames: null })),
    format: "jsonl",
    filtered: false,
    checkpoint,
    keys: trustedEventKeys(),
    markV1Rows: async (v1) => v1.map(() => "a v1 row"),
    batch: 3,
  });
  const text = await new Response(stream).text();
  const reasons = new Map<number, string>();
  for (const line of text.trim().split("\n")) {
    const parsed = JSON.parse(line) as { excluded?: { position: number; reason: string } };
    if (parsed.excluded) reasons.set(parsed.excluded.position, parsed.excluded.reason);
  }
  return reasons;
}

let forged: { id: string; position: string; eventId: string };
let firstSize: number;

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  for (let i = 0; i < 4; i++) await decide(i);
  const first = await signRound(db, config, { force: true });
  if (first.kind !== "signed") throw new Error(first.kind);
  firstSize = first.size;
  const bad = forgery();
  forged = {
    ...(await insertV2(app, bad.content, bad.entry, bad.sig)),
    eventId: bad.content.eventId,
  };
  for (let i = 4; i < 7; i++) await decide(i);
  expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

describe("receipt parsing", () => {
  it("HELD: openReceipt accepts only the exact text signReceipt wrote, whatever a DB writer rewrites", async () => {
    const [newest] = await checkpoints();
    const text = newest!.receipt!;
    const keys = trustedEventKeys();
    expect(openReceipt(text, keys)).not.toBeNull();
    const fromLine = /^from \d+$/m;
    const flaggedList = new RegExp(`^${forged.position}$`, "m");
    const rewrites = [
      text.replace(/\n/g, "\r\n"),
      ` ${text}`,
      `${text}\n`,
      `${text}extra\n`,
      text.replace(fromLine, "from 00"),
      text.replace(fromLine, "from +0"),
      text.replace(fromLine, "from \u0660"), // an Arabic-Indic zero
      text.replace(fromLine, "from 0 "),
      text.replace(/^size (\d+)$/m, "size 9007199254740993"),
      text.replace(/^size (\d+)$/m, (_, n: string) => `size ${n}.0`),
      text.replace(/^flagged 1$/m, "flagged 0").replace(flaggedList, ""),
      text.replace(flaggedList, `${forged.position} ${forged.position}`),
      text.replace(flaggedList, `0${forged.position}`),
      text.replace(/^key /m, "key  "),
      text.replace(/^signature (.*)$/m, (_, s: string) => `signature ${s.replace(/=*$/, "")}`),
      text.replace(/^root (.*)$/m, (_, s: string) => `root ${s.replace(/=$/, "")}`),
      text.replace("audit-check-receipt/v1", "audit-check-receipt/v2"),
    ];
    for (const rewritten of rewrites) {
      expect(rewritten).not.toBe(text);
      expect(openReceipt(rewritten, keys)).toBeNull();
    }
    // Even the event key cannot make the reader accept out-of-shape values: it signs none.
    const opened = openReceipt(text, keys)!;
    for (const bad of [
      { ...opened, from: opened.size + 1 },
      { ...opened, flagged: [opened.size] },
      { ...opened, flagged: [1, 1] },
      { ...opened, flagged: [2, 1] },
      { ...opened, from: -1 },
      { ...opened, size: 2 ** 53 },
    ])
      expect(() => signReceipt(bad, eventSigner())).toThrow(RangeError);
  });

  it("HELD: 1,000 flagged positions fit, the 1,001st ends the chain of receipts, and none covers a flagged one", () => {
    const root = Buffer.alloc(32, 7);
    const flagged = Array.from({ length: MAX_RECEIPT_FLAGGED }, (_, i) => 2 * i + 1);
    const text = signReceipt({ from: 0, size: 4000, root, flagged }, eventSigner());
    const opened = openReceipt(text, trustedEventKeys())!;
    expect(opened.flagged).toHaveLength(MAX_RECEIPT_FLAGGED);
    expect(flagged.every((position) => !opened.covers(position))).toBe(true);
    expect(opened.covers(0) && opened.covers(1998) && opened.covers(2000)).toBe(true);
    expect(opened.covers(4000)).toBe(false);
    expect(
      nextReceipt(opened, {
        previousSize: 4000,
        previousRoot: root,
        size: 4001,
        root,
        flagged: [4000],
      }),
    ).toBeNull();
    expect(() =>
      signReceipt({ from: 0, size: 4001, root, flagged: [...flagged, 4000] }, eventSigner()),
    ).toThrow(RangeError);
    // A receipt of another tree of the same size is not continued: its flagged rows are not lost.
    const other = nextReceipt(opened, {
      previousSize: 4000,
      previousRoot: Buffer.alloc(32, 8),
      size: 4001,
      root,
      flagged: [],
    });
    expect(other).toEqual({ from: 4000, size: 4001, root, flagged: [] });
  });
});

describe("the full verification against receipts moved and rows moved", () => {
  it("HELD: receipts swapped between checkpoint rows change nothing the walk names", async () => {
    const [newest, oldest] = [(await checkpoints())[0]!, (await checkpoints()).at(-1)!];
    expect(oldest.size).toBe(firstSize);
    const before = await verify();
    await asOwner(owner, [
      [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [oldest.receipt, newest.size]],
      [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [newest.receipt, oldest.size]],
    ]);
    try {
      const report = await verify();
      expect(report.problems).toEqual(before.problems);
      expect(report.problems.map((p) => p.id)).toEqual([forged.id]);
      // The export, against the newest checkpoint with the older tree's receipt beside it.
      const [moved] = await checkpoints();
      expect(await exportEventIds("jsonl", moved!)).not.toContain(forged.eventId);
      expect(await exportEventIds("csv", moved!)).not.toContain(forged.eventId);
    } finally {
      await asOwner(owner, [
        [
          `UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`,
          [newest.receipt, newest.size],
        ],
        [
          `UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`,
          [oldest.receipt, oldest.size],
        ],
      ]);
    }
  });

  it("HELD: two covered rows swapped between positions make the walk check every signature", async () => {
    const everyOne = await verify(true);
    await asOwner(owner, [
      [`UPDATE "AuditEvent" SET "position" = 1000000 WHERE "position" = 1`],
      [`UPDATE "AuditEvent" SET "position" = 1 WHERE "position" = 2`],
      [`UPDATE "AuditEvent" SET "position" = 2 WHERE "position" = 1000000`],
    ]);
    try {
      const report = await verify();
      expect(report.receipt).toMatchObject({ held: false, vouched: 0 });
      expect(report.problems).toEqual((await verify(true)).problems);
      expect(report.problems.map((p) => p.id)).toEqual(everyOne.problems.map((p) => p.id));
    } finally {
      await asOwner(owner, [
        [`UPDATE "AuditEvent" SET "position" = 1000000 WHERE "position" = 1`],
        [`UPDATE "AuditEvent" SET "position" = 1 WHERE "position" = 2`],
        [`UPDATE "AuditEvent" SET "position" = 2 WHERE "position" = 1000000`],
      ]);
    }
  });

  it("HELD: a forged row at a covered position read first (a lower id) makes the walk check every signature", async () => {
    const bad = forgery();
    await asOwner(owner, [DROP_POSITION_INDEX, plantSql(-7, 1, bad)]);
    try {
      const report = await verify();
      expect(report.receipt).toMatchObject({ held: false, vouched: 0 });
      expect(sortProblems(report.problems)).toEqual(sortProblems((await verify(true)).problems));
      expect(report.problems).toContainEqual({
        id: "-7",
        position: "1",
        problem: "the signature does not match the entry",
      });
      expect(await exportEventIds("jsonl", (await checkpoints())[0]!)).not.toContain(
        bad.content.eventId,
      );
    } finally {
      await asOwner(owner, [[`DELETE FROM "AuditEvent" WHERE id = -7`], CREATE_POSITION_INDEX]);
    }
  });

  it("FIXED: a forged row at a covered position read after the genuine one is named for its bad signature, as without receipts", async () => {
    // As the owner: the unique index on position dropped, a second row at covered position 1
    // with a higher id. The ledger keeps the genuine leaf, so the receipt holds and the walk
    // vouches for the forged row's signature too: it names the row only as a repeated position
    // ("taken by another row"), where every check (and the code before 049) names a forgery.
    const bad = forgery();
    await asOwner(owner, [DROP_POSITION_INDEX, plantSql(9_000_000, 1, bad)]);
    try {
      const everyOne = await verify(true);
      expect(everyOne.problems).toContainEqual({
        id: "9000000",
        position: "1",
        problem: "the signature does not match the entry",
      });
      const report = await verify();
      // It is named either way (so it is not accepted) ...
      expect(report.problems.map((p) => p.id)).toContain("9000000");
      // ... but not for what it is: same problems as every signature checked.
      expect(sortProblems(report.problems)).toEqual(sortProblems(everyOne.problems));
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditEvent" WHERE id = 9000000`],
        CREATE_POSITION_INDEX,
      ]);
    }
  });
});

describe("the walk's second pass", () => {
  it("HELD: the second pass reads the same snapshot: an event written during the first pass is in neither", async () => {
    const { rows } = await owner.query<{ count: string }>(`SELECT count(*) FROM "AuditEvent"`);
    const before = Number(rows[0]!.count);
    await asOwner(owner, [
      [`UPDATE "AuditEvent" SET "position" = 1000000 WHERE "position" = 1`],
      [`UPDATE "AuditEvent" SET "position" = 1 WHERE "position" = 2`],
      [`UPDATE "AuditEvent" SET "position" = 2 WHERE "position" = 1000000`],
    ]);
    let progress = 0;
    try {
      const report = await verifyAuditLog(db, {
        keys: trustedEventKeys(),
        onProgress: async () => {
          // After the first pass's only batch: an event committed from elsewhere.
          if (progress++ === 0) await decide(300);
        },
      });
      expect(progress).toBe(2);
      expect(report.receipt).toMatchObject({ held: false });
      expect(report.rows).toBe(before);
      expect(report.problems).toEqual([
        {
          id: forged.id,
          position: forged.position,
          problem: "the signature does not match the entry",
        },
      ]);
    } finally {
      await asOwner(owner, [
        [`UPDATE "AuditEvent" SET "position" = 1000000 WHERE "position" = 1`],
        [`UPDATE "AuditEvent" SET "position" = 1 WHERE "position" = 2`],
        [`UPDATE "AuditEvent" SET "position" = 2 WHERE "position" = 1000000`],
      ]);
    }
    const after = await verify();
    expect(after.rows).toBe(before + 1);
    expect(after.problems.map((p) => p.id)).toEqual([forged.id]);
  });
});

describe("the export with receipts", () => {
  it("HELD: CSV, OCSF and filtered exports leave out the flagged row; a checkpoint note not signed does not vouch", async () => {
    const [newest] = await checkpoints();
    for (const format of ["jsonl", "csv", "ocsf"] as const) {
      const ids = await exportEventIds(format, newest!);
      expect(ids).not.toContain(forged.eventId);
      expect(ids.length).toBeGreaterThanOrEqual(7);
    }
    expect(await exportEventIds("csv", newest!, { action: "approval.approved" })).not.toContain(
      forged.eventId,
    );
    // A checkpoint row whose note is garbage, with the genuine receipt: the receipt still vouches
    // only for leaves that lead up to its own root; the forged row is not one.
    const garbage = { ...newest!, note: "not a signed note\n" };
    expect(await exportEventIds("csv", garbage)).not.toContain(forged.eventId);
    // No checkpoint yet: every signature is checked.
    expect(await exportEventIds("csv", null)).not.toContain(forged.eventId);
  });

  it("HELD: a stored tile rewritten to hold the forged row's leaf does not vouch for it", async () => {
    const [newest] = await checkpoints();
    const { rows } = await owner.query<{ entry: Buffer; signature: Buffer }>(
      `SELECT entry, signature FROM "AuditEvent" WHERE "position" = 1`,
    );
    const bad = forgery();
    // The row at 1 replaced by a forgery, and the leaf tile of the newest size rewritten to hold
    // its leaf: the tile no longer leads up to the receipt's root.
    const leaf = eventLeafHash(bad.sig, bad.entry);
    const { rows: tiles } = await owner.query<{ hashes: Buffer }>(
      `SELECT hashes FROM "AuditTile" WHERE level = 0 AND index = 0 AND width = $1`,
      [newest!.size],
    );
    await asOwner(owner, [
      [`UPDATE "AuditEvent" SET "position" = 1000001 WHERE "position" = 1`],
      plantSql(-8, 1, bad),
      [
        `UPDATE "AuditTile" SET hashes = overlay(hashes placing $1 from 33 for 32)
          WHERE level = 0 AND index = 0 AND width = $2`,
        [leaf, newest!.size],
      ],
    ]);
    try {
      for (const format of ["jsonl", "csv", "ocsf"] as const)
        expect(await exportEventIds(format, newest!)).not.toContain(bad.content.eventId);
      expect((await verify()).problems).toContainEqual({
        id: "-8",
        position: "1",
        problem: "the signature does not match the entry",
      });
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditEvent" WHERE id = -8`],
        [`UPDATE "AuditEvent" SET "position" = 1 WHERE "position" = 1000001`],
        [
          `UPDATE "AuditTile" SET hashes = $1 WHERE level = 0 AND index = 0 AND width = $2`,
          [tiles[0]!.hashes, newest!.size],
        ],
      ]);
      expect(rows[0]!.entry.length).toBeGreaterThan(0);
    }
  });

  it("FIXED: a CSV or OCSF export still runs, checking signatures, when a tile the receipt needs is missing", async () => {
    // Before 049 a CSV or OCSF export never read a tile. Now, with a receipt, it fetches the
    // tiles to tie rows to the receipt's root, and a tile the owner deleted makes the whole
    // export fail ("the tile … is missing") instead of checking those rows' signatures.
    const [newest] = await checkpoints();
    const { rows: tiles } = await owner.query<{ hashes: Buffer }>(
      `SELECT hashes FROM "AuditTile" WHERE level = 0 AND index = 0 AND width = $1`,
      [newest!.size],
    );
    expect(tiles).toHaveLength(1);
    const withoutReceipt = await exportEventIds("csv", { ...newest!, receipt: null });
    await asOwner(owner, [
      [`DELETE FROM "AuditTile" WHERE level = 0 AND index = 0 AND width = $1`, [newest!.size]],
    ]);
    try {
      // What the same export gives with no receipt (checking every signature), tile or not.
      expect(await exportEventIds("csv", { ...newest!, receipt: null })).toEqual(withoutReceipt);
      for (const format of ["csv", "ocsf"] as const) {
        const ids = await exportEventIds(format, newest!).catch((error: unknown) => [
          `failed: ${String(error)}`,
        ]);
        expect(ids).toEqual(withoutReceipt);
      }
    } finally {
      await asOwner(owner, [
        [
          `INSERT INTO "AuditTile" (level, index, width, hashes) VALUES (0, 0, $1, $2)`,
          [newest!.size, tiles[0]!.hashes],
        ],
      ]);
    }
  });
});

describe("rows that split the same leaf bytes differently", () => {
  it("FIXED: a covered row rewritten as another split of its leaf's bytes is named for its signature, as without receipts", async () => {
    // The leaf is SHA-256(0x00 ‖ signature ‖ entry), with no length between them: as the owner,
    // the first byte of the entry moved onto the end of the signature. The leaf (and so the
    // receipt's root and the stored tile) is unchanged, so both readers vouch for the row's
    // signature and name it only for its entry; every check (and the code before 049) names the
    // signature first (checkV2Rows: "a bad signature is named first").
    const { rows } = await owner.query<{ id: string; entry: Buffer; signature: Buffer }>(
      `SELECT id, entry, signature FROM "AuditEvent" WHERE "position" = 3`,
    );
    const row = rows[0]!;
    await asOwner(owner, [
      [
        `UPDATE "AuditEvent" SET signature = $1, entry = $2 WHERE id = $3`,
        [Buffer.concat([row.signature, row.entry.subarray(0, 1)]), row.entry.subarray(1), row.id],
      ],
    ]);
    try {
      const everyOne = await verify(true);
      const signatureProblem = {
        id: row.id,
        position: "3",
        problem: "the signature does not match the entry",
      };
      expect(everyOne.problems).toContainEqual(signatureProblem);
      const report = await verify();
      // Named either way (not accepted) ...
      expect(report.problems.map((p) => p.id)).toContain(row.id);
      expect(report.receipt).toMatchObject({ held: true });
      // ... the export leaves it out either way ...
      const [newest] = await checkpoints();
      const reasons = await excludedReasons(newest!);
      expect(reasons.get(3)).toBeDefined();
      expect((await excludedReasons({ ...newest!, receipt: null })).get(3)).toBe(
        signatureProblem.problem,
      );
      // ... but for what it is only without the receipt.
      expect(report.problems).toContainEqual(signatureProblem);
      expect(reasons.get(3)).toBe(signatureProblem.problem);
    } finally {
      await asOwner(owner, [
        [
          `UPDATE "AuditEvent" SET signature = $1, entry = $2 WHERE id = $3`,
          [row.signature, row.entry, row.id],
        ],
      ]);
    }
  });

  it("FIXED: a CSV export still runs when the owner placed a row at a negative position", async () => {
    // Before 049 a CSV export never asked the tiles for anything; with a receipt it prepares a
    // proof for every row below the checkpoint's size, and -1 is "below": the export throws
    // (RangeError: no leaf -1) instead of exporting the rows.
    const [newest] = await checkpoints();
    const withoutReceipt = await exportEventIds("csv", { ...newest!, receipt: null });
    const bad = forgery();
    await asOwner(owner, [
      [`ALTER TABLE "AuditEvent" DROP CONSTRAINT "AuditEvent_position_from_zero"`],
      plantSql(-9, -1, bad),
    ]);
    try {
      expect(await exportEventIds("csv", { ...newest!, receipt: null })).toEqual(withoutReceipt);
      const ids = await exportEventIds("csv", newest!).catch((error: unknown) => [
        `failed: ${String(error)}`,
      ]);
      expect(ids).toEqual(withoutReceipt);
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditEvent" WHERE id = -9`],
        [
          `ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_position_from_zero" CHECK ("position" >= 0)`,
        ],
      ]);
    }
  });
});

describe("the signer's receipt chain", () => {
  it("HELD: a genuine older receipt planted beside the latest checkpoint is not continued", async () => {
    const [newest, ...rest] = await checkpoints();
    const oldest = rest.at(-1)!;
    await asOwner(owner, [
      [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [oldest.receipt, newest!.size]],
    ]);
    await decide(100);
    // Without reaching back (backfill 0): what the round itself vouches for.
    const round = await signRound(db, config, { force: true, backfill: 0 });
    expect(round).toMatchObject({ kind: "signed", previousSize: newest!.size });
    const [signed] = await checkpoints();
    const receipt = openReceipt(signed!.receipt, trustedEventKeys())!;
    // It starts afresh at the tree it extends: nothing below is vouched for by it.
    expect(receipt).toMatchObject({ from: newest!.size, size: signed!.size, flagged: [] });
    const report = await verify();
    expect(report.receipt).toMatchObject({ from: newest!.size, held: true });
    expect(report.problems.map((p) => p.id)).toEqual([forged.id]);
    expect(await exportEventIds("csv", signed!)).not.toContain(forged.eventId);
  });

  it("HELD: a forged row at the next position is flagged by the signer and never covered", async () => {
    const bad = forgery();
    const row = await insertV2(app, bad.content, bad.entry, bad.sig);
    const round = await signRound(db, config, { force: true });
    expect(round).toMatchObject({ kind: "signed" });
    const [signed] = await checkpoints();
    const receipt = openReceipt(signed!.receipt, trustedEventKeys())!;
    expect(receipt.flagged).toContain(Number(row.position));
    expect(receipt.covers(Number(row.position))).toBe(false);
    expect((await verify()).problems.map((p) => p.id)).toEqual(
      expect.arrayContaining([forged.id, row.id]),
    );
    const ids = await exportEventIds("csv", signed!);
    expect(ids).not.toContain(bad.content.eventId);
    expect(ids).not.toContain(forged.eventId);
  });
});

/** A genuine event signed with the console's event key, at the next position (as the app writes). */
async function genuineRow(n: number) {
  const content: EntryContent = {
    ...forgedContent(eventSigner().keyId),
    actorName: `genuine ${n}`,
    data: { note: `genuine ${n}` },
  };
  const entry = entryBytes(content);
  return insertV2(app, content, entry, signEntry(entry, eventSigner().privateKey));
}

/** The Merkle root of a full tile's 256 hashes. */
function tileRoot(hashes: Buffer): Buffer {
  let level: Buffer[] = [];
  for (let i = 0; i < hashes.length; i += 32) level.push(hashes.subarray(i, i + 32));
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
    level = up;
  }
  return level[0]!;
}

describe("a tree with a full tile and a tile above it", () => {
  it("HELD: a forged row with its leaf tile and the tile above both rewritten to agree is not vouched for", async () => {
    const { rows: head } = await owner.query<{ max: string }>(
      `SELECT max("position") AS max FROM "AuditEvent"`,
    );
    for (let n = Number(head[0]!.max) + 1; n < 300; n++) await genuineRow(n);
    expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
    const [newest] = await checkpoints();
    expect(newest!.size).toBeGreaterThanOrEqual(300);
    const receipt = openReceipt(newest!.receipt, trustedEventKeys())!;
    // A covered position in the full leaf tile (the chain may have started above 0).
    const p = Array.from({ length: 256 }, (_, i) => i).find((i) => receipt.covers(i))!;
    expect(p).toBeDefined();
    const { rows: tiles } = await owner.query<{ hashes: Buffer }>(
      `SELECT hashes FROM "AuditTile" WHERE level = 0 AND index = 0 AND width = 256`,
    );
    const { rows: upper } = await owner.query<{ width: number; hashes: Buffer }>(
      `SELECT width, hashes FROM "AuditTile" WHERE level = 1 AND index = 0 AND width = $1`,
      [Math.floor(newest!.size / 256)],
    );
    expect(upper).toHaveLength(1);
    const bad = forgery();
    const leaves = Buffer.from(tiles[0]!.hashes);
    eventLeafHash(bad.sig, bad.entry).copy(leaves, p * 32);
    const above = Buffer.from(upper[0]!.hashes);
    tileRoot(leaves).copy(above, 0);
    await asOwner(owner, [
      [`UPDATE "AuditEvent" SET "position" = 1000005 WHERE "position" = $1`, [p]],
      plantSql(-10, p, bad),
      [
        `UPDATE "AuditTile" SET hashes = $1 WHERE level = 0 AND index = 0 AND width = 256`,
        [leaves],
      ],
      [
        `UPDATE "AuditTile" SET hashes = $1 WHERE level = 1 AND index = 0 AND width = $2`,
        [above, upper[0]!.width],
      ],
    ]);
    try {
      for (const format of ["jsonl", "csv", "ocsf"] as const)
        expect(await exportEventIds(format, newest!)).not.toContain(bad.content.eventId);
      expect((await excludedReasons(newest!)).get(p)).toBe(
        "the signature does not match the entry",
      );
      const report = await verify();
      expect(report.receipt).toMatchObject({ held: false });
      expect(report.problems).toContainEqual({
        id: "-10",
        position: String(p),
        problem: "the signature does not match the entry",
      });
    } finally {
      await asOwner(owner, [
        [`DELETE FROM "AuditEvent" WHERE id = -10`],
        [`UPDATE "AuditEvent" SET "position" = $1 WHERE "position" = 1000005`, [p]],
        [
          `UPDATE "AuditTile" SET hashes = $1 WHERE level = 0 AND index = 0 AND width = 256`,
          [tiles[0]!.hashes],
        ],
        [
          `UPDATE "AuditTile" SET hashes = $1 WHERE level = 1 AND index = 0 AND width = $2`,
          [upper[0]!.hashes, upper[0]!.width],
        ],
      ]);
    }
    expect((await verify()).receipt).toMatchObject({ held: true });
  });

  it("HELD: a round that stops at a gap vouches only below it, and the row later put in the gap is flagged", async () => {
    const a = await genuineRow(1);
    await genuineRow(2);
    await genuineRow(3);
    const gap = Number(a.position) + 1;
    await asOwner(owner, [[`DELETE FROM "AuditEvent" WHERE "position" = $1`, [gap]]]);
    const stopped = await signRound(db, config, { force: true });
    expect(stopped).toMatchObject({ kind: "signed", size: gap });
    const [atGap] = await checkpoints();
    expect(openReceipt(atGap!.receipt, trustedEventKeys())).toMatchObject({ size: gap });
    const bad = forgery();
    await asOwner(owner, [plantSql(-11, gap, bad)]);
    expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
    const [after] = await checkpoints();
    const receipt = openReceipt(after!.receipt, trustedEventKeys())!;
    expect(receipt.size).toBeGreaterThan(gap);
    expect(receipt.flagged).toContain(gap);
    expect(receipt.covers(gap)).toBe(false);
    const report = await verify();
    expect(report.receipt).toMatchObject({ size: after!.size, held: true });
    expect(report.problems).toContainEqual({
      id: "-11",
      position: String(gap),
      problem: "the signature does not match the entry",
    });
    expect(await exportEventIds("csv", after!)).not.toContain(bad.content.eventId);
  });
});

describe("the cap on flagged positions", () => {
  it("HELD: a receipt holds 1,000 flagged rows, the 1,001st ends the chain, and a new one starts where the tree stood", async () => {
    const chained = openReceipt((await checkpoints())[0]!.receipt, trustedEventKeys())!;
    const room = MAX_RECEIPT_FLAGGED - chained.flagged.length;
    expect(room).toBeGreaterThan(0);
    // The app role plants forged rows at the next positions, until the receipt is full.
    const planted: string[] = [];
    for (let i = 0; i < room; i++) {
      const bad = forgery();
      planted.push((await insertV2(app, bad.content, bad.entry, bad.sig)).id);
    }
    expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
    const [full] = await checkpoints();
    const receipt = openReceipt(full!.receipt, trustedEventKeys())!;
    expect(receipt.flagged).toHaveLength(MAX_RECEIPT_FLAGGED);
    expect(receipt.from).toBe(chained.from);
    const before = await verify();
    expect(before.receipt).toMatchObject({ size: full!.size, held: true });
    const named = new Set(before.problems.map((p) => p.id));
    expect(before.problemCount).toBeGreaterThanOrEqual(MAX_RECEIPT_FLAGGED);
    expect(planted.slice(0, 150).every((id) => named.has(id))).toBe(true);

    // One more: no receipt with this checkpoint; the walk relies on the older one only.
    const last = forgery();
    const lastRow = await insertV2(app, last.content, last.entry, last.sig);
    expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
    const [over] = await checkpoints();
    expect(over!.receipt).toBeNull();
    const fallback = await verify();
    expect(fallback.receipt).toMatchObject({ size: full!.size, held: true });
    expect(fallback.problemCount).toBe(before.problemCount + 1);
    // (the list keeps the first 200 problems; the count names the new one)
    expect(Number(lastRow.position)).toBeGreaterThan(full!.size - 1);

    // The next round starts a receipt afresh at the tree it extends, then reaches back a tile at
    // a time as far as its room for failed positions allows (decision 049's reach back).
    await decide(200);
    expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
    const [fresh] = await checkpoints();
    const renewed = openReceipt(fresh!.receipt, trustedEventKeys())!;
    expect(renewed).toMatchObject({ size: fresh!.size });
    expect(renewed.from).toBeLessThan(over!.size);
    expect(renewed.from % 256).toBe(0);
    expect(renewed.flagged.length).toBeLessThanOrEqual(MAX_RECEIPT_FLAGGED);
    // None of the forged rows is vouched for.
    const positions = await owner.query<{ position: string }>(
      `SELECT "position" FROM "AuditEvent" WHERE id = ANY($1::bigint[])`,
      [[...planted, lastRow.id]],
    );
    for (const { position } of positions.rows) expect(renewed.covers(Number(position))).toBe(false);
    const after = await verify();
    expect(after.receipt).toMatchObject({ from: renewed.from, held: true });
    expect(after.problemCount).toBe(fallback.problemCount);
    expect(after.problems).toEqual((await verify(true)).problems);
    const csv = await exportEventIds("csv", fresh!);
    expect(csv).not.toContain(last.content.eventId);
    expect(csv).not.toContain(forged.eventId);
  }, 120_000);
});

describe("a tree rewritten after a rollback", () => {
  it("HELD: the old tree's genuine receipt put beside the re-signed tree vouches for nothing", async () => {
    const [newest, previous] = await checkpoints();
    const oldReceipt = openReceipt(newest!.receipt, trustedEventKeys())!;
    expect(oldReceipt.size).toBe(newest!.size);
    const keep = previous!.size;
    const q = keep; // the first position the newest checkpoint added
    // As the owner: the newest checkpoint removed, with every tile holding a leaf at or past
    // `keep`; the row at q rewritten as a forgery (columns copied from its entry).
    const bad = forgery();
    const c = bad.content;
    await asOwner(owner, [
      [`DELETE FROM "AuditCheckpoint" WHERE size = $1`, [newest!.size]],
      [
        `DELETE FROM "AuditTile" WHERE (level = 0 AND index * 256 + width > $1)
           OR (level = 1 AND (index * 256 + width) * 256 > $1)`,
        [keep],
      ],
      [
        `UPDATE "AuditEvent" SET "eventId" = $2, "appTime" = $3, "keyId" = $4, entry = $5,
           signature = $6, action = $7, outcome = $8, reason = $9, "actorType" = $10,
           "actorId" = $11, "actorName" = $12, "actorRole" = $13, "targetType" = $14,
           "targetId" = $15, data = $16, "createdAt" = now() WHERE "position" = $1`,
        [
          q,
          c.eventId,
          c.appTime,
          c.keyId,
          bad.entry,
          bad.sig,
          c.action,
          c.outcome,
          c.reason,
          c.actorType,
          c.actorId,
          c.actorName,
          c.actorRole,
          c.targetType,
          c.targetId,
          JSON.stringify(c.data),
        ],
      ],
    ]);
    // The signer re-signs the same size: another tree, with the forgery flagged.
    const round = await signRound(db, config, { force: true, maxEvents: newest!.size - keep });
    expect(round).toMatchObject({ kind: "signed", size: newest!.size });
    const [resigned] = await checkpoints();
    expect(openReceipt(resigned!.receipt, trustedEventKeys())!.covers(q)).toBe(false);
    // As the owner: the old tree's genuine receipt (which covers q) put beside the new tree.
    expect(oldReceipt.covers(q)).toBe(true);
    await asOwner(owner, [
      [
        `UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`,
        [newest!.receipt, newest!.size],
      ],
    ]);
    const [planted] = await checkpoints();
    expect(planted!.receipt).toBe(newest!.receipt);
    const report = await verify();
    expect(report.receipt).toMatchObject({ size: newest!.size, held: false, vouched: 0 });
    expect(report.problems).toEqual((await verify(true)).problems);
    // (the list keeps 200; the forgery at q is past them, so it is counted, and named below)
    expect(report.problemCount).toBe((await verify(true)).problemCount);
    for (const format of ["jsonl", "csv", "ocsf"] as const)
      expect(await exportEventIds(format, planted!)).not.toContain(c.eventId);
    expect((await excludedReasons(planted!)).get(q)).toBe("the signature does not match the entry");
  }, 60_000);
});

// The impostor's key id, for the record: it is no trusted event key.
it("HELD: the impostor key is not a trusted event key", () => {
  expect(trustedEventKeys().has(eventKeyId(impostorKey))).toBe(false);
});
