/**
 * The signer's check receipts (docs/decisions/049-check-receipts.md): each checkpoint carries a
 * receipt, signed with the event key, of the positions the signer checked and those that failed;
 * the full verification checks again only the signatures no receipt vouches for, and only while
 * the rows still hash to the receipt's root. Tried here as someone with the owner's powers would.
 */
import { spawnSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryBytes, eventKeyId, parseEntry, signEntry } from "@/lib/domain/audit-entry";
import { openReceipt, signReceipt } from "@/lib/domain/check-receipt";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { eventSigner, trustedEventKeys } from "@/lib/server/audit-keys";
import { signRound, type SignerConfig } from "@/lib/server/audit-log-signer";
import { eventLeafHash } from "@/lib/domain/tlog/proof";
import { auditExportStream } from "@/lib/server/audit-export-stream";
import { auditWhereSql } from "@/lib/server/audit-rows";
import { auditCondition } from "@/lib/server/audit-where";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { asOwner, forgedContent, insertV2 } from "@/tests/audit-tampering";
import { db } from "@/tests/db";

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const checkpointKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
const config: SignerConfig = {
  origin: "console.test/receipts",
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

async function newestReceipt() {
  const { rows } = await owner.query<{ size: string; receipt: string | null }>(
    `SELECT size, receipt FROM "AuditCheckpoint" ORDER BY size DESC LIMIT 1`,
  );
  return { size: Number(rows[0]!.size), text: rows[0]!.receipt };
}

const verify = (everySignature = false) =>
  verifyAuditLog(db, { keys: trustedEventKeys(), everySignature });

/** A row at the next position whose signature, under the console's key id, is an impostor's. */
async function forgedRow() {
  const content = forgedContent(eventSigner().keyId);
  const entry = entryBytes(content);
  return insertV2(app, content, entry, signEntry(entry, generateKeyPairSync("ed25519").privateKey));
}

let forged: { id: string; position: string };
let firstSize: number;

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  for (let i = 0; i < 4; i++) await decide(i);
  const first = await signRound(db, config, { force: true });
  if (first.kind !== "signed") throw new Error(first.kind);
  firstSize = first.size;
  forged = await forgedRow();
  for (let i = 4; i < 7; i++) await decide(i);
  expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

describe("the signer's receipts", () => {
  it("come with every checkpoint, from position 0 on, naming every row that failed", async () => {
    const { size, text } = await newestReceipt();
    const receipt = openReceipt(text, trustedEventKeys())!;
    expect(receipt).toMatchObject({ from: 0, size, flagged: [Number(forged.position)] });
    expect(receipt.keyId).toBe(eventSigner().keyId);
    // The checkpoint key cannot stand in for the event key, nor an untrusted event key.
    expect(openReceipt(text, new Map([["x", checkpointKey]]))).toBeNull();
  });
});

describe("the full verification with receipts", () => {
  it("checks again only what no receipt vouches for, and names what the signer flagged", async () => {
    const report = await verify();
    const { size } = await newestReceipt();
    // Every position the receipt covers but the flagged one (later events are checked in full).
    expect(report.receipt).toEqual({ from: 0, size, vouched: size - 1, held: true });
    expect(report.problems).toEqual([
      {
        id: forged.id,
        position: forged.position,
        problem: "the signature does not match the entry",
      },
    ]);
    const everyOne = await verify(true);
    expect(everyOne.receipt).toBeNull();
    expect(everyOne.problems).toEqual(report.problems);
  });

  it("ignores a receipt that is not signed by a trusted event key, and falls back on an older one", async () => {
    const { size, text } = await newestReceipt();
    const receipt = openReceipt(text, trustedEventKeys())!;
    const impostor = generateKeyPairSync("ed25519").privateKey;
    const planted = signReceipt(
      { ...receipt, flagged: [] },
      { privateKey: impostor, keyId: eventKeyId(impostor) },
    );
    await asOwner(owner, [
      [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [planted, size]],
    ]);
    try {
      const report = await verify();
      expect(report.receipt).toEqual({ from: 0, size: firstSize, vouched: firstSize, held: true });
      expect(report.problems.map((p) => p.id)).toEqual([forged.id]);
    } finally {
      await asOwner(owner, [
        [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [text, size]],
      ]);
    }
  });

  it("is worth exactly the event key: one signed with it is relied on, and --every-signature is not", async () => {
    // Whoever holds the event key could sign the flagged row's entry itself; a receipt signed
    // with it that leaves the row out is relied on. This pins that receipts are used at all.
    const { size, text } = await newestReceipt();
    const receipt = openReceipt(text, trustedEventKeys())!;
    const vouching = signReceipt({ ...receipt, flagged: [] }, eventSigner());
    await asOwner(owner, [
      [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [vouching, size]],
    ]);
    try {
      expect((await verify()).problems).toEqual([]);
      expect((await verify(true)).problems.map((p) => p.id)).toEqual([forged.id]);
    } finally {
      await asOwner(owner, [
        [`UPDATE "AuditCheckpoint" SET receipt = $1 WHERE size = $2`, [text, size]],
      ]);
    }
  });
});

/** The positions a JSON Lines export of everything gives as events, and those it leaves out. */
async function exported(receipt?: string | null) {
  const { rows } = await owner.query<{ size: string; note: string; receipt: string | null }>(
    `SELECT size, note, receipt FROM "AuditCheckpoint" ORDER BY size DESC LIMIT 1`,
  );
  const checkpoint = rows[0]!;
  const stream = await auditExportStream({
    databaseUrl: process.env.DATABASE_URL!,
    tiles: db,
    where: auditWhereSql(auditCondition({ ...AuditSearchSchema.parse({}), actorNames: null })),
    format: "jsonl",
    filtered: false,
    checkpoint: {
      size: Number(checkpoint.size),
      note: checkpoint.note,
      receipt: receipt === undefined ? checkpoint.receipt : receipt,
    },
    keys: trustedEventKeys(),
    markV1Rows: async (v1) => v1.map(() => "a v1 row"),
    batch: 3,
  });
  const text = await new Response(stream).text();
  type Line = { position?: string | number; excluded?: { position: number }; end?: unknown };
  const lines = text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Line);
  const events = lines
    .filter((line) => !line.excluded && !line.end)
    .map((line) => Number(line.position));
  const left = lines.filter((line) => line.excluded).map((line) => line.excluded!.position);
  expect(lines.at(-1)?.end).toMatchObject({ events: events.length, excluded: left.length });
  return { events, left };
}

describe("the export with receipts", () => {
  it("leaves out the row the signer flagged, and relies on the receipt for the rest", async () => {
    const { events, left } = await exported();
    expect(left).toEqual([Number(forged.position)]);
    expect(events).not.toContain(Number(forged.position));
    expect(events).toEqual(expect.arrayContaining([0, 1, 2, 3, 5, 6, 7]));
    // The receipt is worth the event key: one signed with it that leaves the row out is relied on.
    const { text } = await newestReceipt();
    const receipt = openReceipt(text, trustedEventKeys())!;
    const vouching = signReceipt({ ...receipt, flagged: [] }, eventSigner());
    expect((await exported(vouching)).left).toEqual([]);
    // Signed by any other key, it is no receipt, and every signature is checked.
    const impostor = generateKeyPairSync("ed25519").privateKey;
    const planted = signReceipt(
      { ...receipt, flagged: [] },
      { privateKey: impostor, keyId: eventKeyId(impostor) },
    );
    expect((await exported(planted)).left).toEqual([Number(forged.position)]);
    expect((await exported(null)).left).toEqual([Number(forged.position)]);
  });

  it("checks the signature of a covered row whose stored leaf was rewritten with it", async () => {
    // As the owner: the row at position 1 rewritten, and its leaf hash in the stored tile too,
    // so the tile agrees with the row. The tile no longer leads to the receipt's root.
    const { rows } = await owner.query<{ id: string; entry: Buffer; signature: Buffer }>(
      `SELECT id, entry, signature FROM "AuditEvent" WHERE "position" = 1`,
    );
    const row = rows[0]!;
    const parsed = parseEntry(row.entry);
    if (!parsed.ok) throw new Error(parsed.problem);
    const content = { ...parsed.content, data: { permission: "audit:export", path: "/1" } };
    const entry = entryBytes(content);
    const leaf = eventLeafHash(row.signature, entry);
    await asOwner(owner, [
      [
        `UPDATE "AuditEvent" SET entry = $1, data = $2 WHERE id = $3`,
        [entry, JSON.stringify(content.data), row.id],
      ],
      [
        `UPDATE "AuditTile" SET hashes = overlay(hashes placing $1 from 33 for 32)
          WHERE level = 0 AND index = 0`,
        [leaf],
      ],
    ]);
    const { rows: tiles } = await owner.query<{ hashes: Buffer }>(
      `SELECT hashes FROM "AuditTile" WHERE level = 0 AND index = 0`,
    );
    expect(tiles[0]!.hashes.subarray(32, 64).equals(leaf)).toBe(true);
    const { events, left } = await exported();
    expect(left).toEqual([1, Number(forged.position)]);
    expect(events).not.toContain(1);
    expect(events).toContain(0);
  });
});

describe("the full verification after a covered row is changed", () => {
  it("checks every signature again once a row covered by the receipt is changed", async () => {
    // As the owner: a covered row rewritten with a consistent entry and columns, under its old
    // signature. Its leaf is no longer the one the receipt's root holds.
    const { rows } = await owner.query<{ id: string; position: string; entry: Buffer }>(
      `SELECT id, "position", entry FROM "AuditEvent" WHERE "position" = 2`,
    );
    const row = rows[0]!;
    const parsed = parseEntry(row.entry);
    if (!parsed.ok) throw new Error(parsed.problem);
    const content = { ...parsed.content, data: { permission: "audit:export", path: "/2" } };
    await asOwner(owner, [
      [
        `UPDATE "AuditEvent" SET entry = $1, data = $2 WHERE id = $3`,
        [entryBytes(content), JSON.stringify(content.data), row.id],
      ],
    ]);
    const report = await verify();
    expect(report.receipt).toMatchObject({ held: false, vouched: 0 });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        { id: row.id, position: "2", problem: "the signature does not match the entry" },
        {
          id: forged.id,
          position: forged.position,
          problem: "the signature does not match the entry",
        },
      ]),
    );
  });
});

describe("npm run audit:verify", () => {
  it("says which receipt it relied on, and --every-signature relies on none", () => {
    const work = mkdtempSync(path.join(tmpdir(), "receipts-cli-"));
    const publicKeyFile = path.join(work, "checkpoint.pub.pem");
    writeFileSync(
      publicKeyFile,
      createPublicKey(checkpointKey).export({ type: "spki", format: "pem" }),
    );
    writeFileSync(path.join(work, "empty.env"), "");
    const run = (...args: string[]) =>
      spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/audit-verify.ts", ...args], {
        encoding: "utf8",
        env: {
          NODE_ENV: "test",
          PATH: process.env.PATH,
          TMPDIR: process.env.TMPDIR,
          CONSOLE_ENV_FILE: path.join(work, "empty.env"),
          DATABASE_URL: process.env.DATABASE_URL,
          // An auditor's machine: the public keys only (not the demo's keys in .data).
          AUDIT_EVENT_KEY_FILE: "",
          AUDIT_SIGNING_KEY_FILE: "",
          AUDIT_EVENT_PUBLIC_KEY_FILES: writePublicEventKey(work),
          AUDIT_PUBLIC_KEY_FILE: publicKeyFile,
          AUDIT_CHECKPOINT_DIR: path.join(work, "checkpoints"),
          AUDIT_LOG_ORIGIN: config.origin,
        },
      });
    // The covered row changed above: the receipt no longer holds, and the walk says so.
    const relying = run();
    expect(relying.stderr).toBe("");
    expect(relying.stdout).toMatch(
      /check receipt for \d+ events: the rows no longer hash to its root, so every signature was checked/,
    );
    expect(relying.stdout).toContain("TAMPERING DETECTED");
    expect(relying.status).toBe(1);
    const everyOne = run("--every-signature");
    expect(everyOne.stdout).toContain("every signature checked");
    expect(everyOne.status).toBe(1);
    const unknown = run("--every-signatures");
    expect(unknown.stderr).toContain("Unknown argument --every-signatures");
    expect(unknown.status).toBe(2);
  }, 60_000);
});

/** The console's event key's public half, as an auditor would be given it. */
function writePublicEventKey(dir: string): string {
  const file = path.join(dir, "event.pub.pem");
  writeFileSync(
    file,
    createPublicKey(eventSigner().privateKey).export({ type: "spki", format: "pem" }),
  );
  return file;
}
