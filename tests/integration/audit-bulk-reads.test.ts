/**
 * The bulk read paths (docs/decisions/021-bulk-reads.md) against PostgreSQL: the cursor gives
 * the rows Prisma gives, its filters choose the rows Prisma's do, the export writes the same
 * lines as the keyset walk it replaced (left-out rows included), the verification walk names
 * planted and altered rows, awaits its progress callback, refuses a URL to another database, and
 * an export cancelled half-way gives its connection back.
 */
import { createPublicKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS } from "@/lib/domain/audit-chain";
import { entryBytes, eventKeyId, signEntry, type EntryContent } from "@/lib/domain/audit-entry";
import {
  CSV_HEADER,
  endLine,
  excludedLine,
  toCsvLine,
  toExportedEvent,
  toJsonLine,
  toOcsfLine,
  type ExportFormat,
} from "@/lib/domain/audit-export";
import { AuditSearchSchema, type AuditSearch } from "@/lib/domain/audit-search";
import { inclusionProof } from "@/lib/domain/tlog/merkle";
import { formatProof } from "@/lib/domain/tlog/proof";
import { tileHashReader } from "@/lib/domain/tlog/tiles";
import { auditedTransaction, recordAudit, type Tx } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { signRound } from "@/lib/server/audit-log-signer";
import { checkpointNote } from "@/lib/server/audit-proofs";
import {
  auditRowBatches,
  auditWhereSql,
  BULK_READ_APPLICATION,
  connectForBulkRead,
} from "@/lib/server/audit-rows";
import { auditExportStream } from "@/lib/server/audit-export-stream";
import { cachingTileFetcher } from "@/lib/server/audit-tiles";
import {
  auditCondition,
  exportCondition,
  resolveAuditSearch,
  type ResolvedAuditSearch,
} from "@/lib/server/audit-where";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { auditFilters, markRows } from "@/lib/server/find-audit-events";
import { sealV1Log } from "@/lib/server/seal-v1-log";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { appendV1, asOwner } from "@/tests/audit-tampering";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

const ORIGIN = "console.test/audit";
const checkpointKey = generateKeyPairSync("ed25519").privateKey;
const keyFile = path.join(mkdtempSync(path.join(tmpdir(), "bulk-keys-")), "checkpoint.pub.pem");
writeFileSync(keyFile, createPublicKey(checkpointKey).export({ type: "spki", format: "pem" }));
process.env.AUDIT_PUBLIC_KEY_FILE = keyFile;
process.env.AUDIT_LOG_ORIGIN = ORIGIN;

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const ACTORS = ["Priya Shah", "Tom_Becker", "Lucia 100% Romero", "Grace Okafor", "Zoë 😀"];
const subject = randomUUID();
const someCase = randomUUID();
const planted: { forged: string; altered: string } = { forged: "", altered: "" };

async function record(tx: Tx, i: number) {
  await recordAudit(tx, {
    action: i % 3 === 0 ? "access.denied" : "audit.viewed",
    outcome: i % 3 === 0 ? "REFUSED" : "ALLOWED",
    reason: i % 3 === 0 ? "FORBIDDEN" : undefined,
    actor: { type: "SYSTEM", name: ACTORS[i % ACTORS.length]! },
    subjectUserId: i % 4 === 0 ? subject : undefined,
    caseId: i % 5 === 0 ? someCase : undefined,
    data:
      i % 3 === 0
        ? { permission: "audit:read", path: `/audit/${i}?q=é"\\\n${"x".repeat(i % 7)}` }
        : { filters: { actor: `a${i}`, outcome: "REFUSED" }, verified: i % 2 === 0 },
  });
}

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  // A sealed v1 log first (its rows go through the same paths), then v2 events over a few tiles.
  let prev = GENESIS;
  for (let i = 0; i < 3; i++) {
    prev = await appendV1(owner, i, prev);
  }
  expect(await sealV1Log(db)).toBe("sealed");
  for (let i = 0; i < 620; i += 20)
    await auditedTransaction(db, async (tx) => {
      for (let j = i; j < i + 20; j++) await record(tx, j);
    });
  await signRound(db, {
    origin: ORIGIN,
    privateKey: checkpointKey,
    eventKeys: trustedEventKeys(),
    witnesses: [],
  });
  // Newer than the checkpoint: no proof.
  for (let i = 620; i < 630; i++) await auditedTransaction(db, (tx) => record(tx, i));
  // A forged append (the application role can insert), and a row the owner altered.
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const forged: EntryContent = {
    eventId: randomUUID(),
    appTime: new Date().toISOString(),
    keyId: eventKeyId(publicKey),
    action: "approval.approved",
    outcome: "ALLOWED",
    reason: null,
    actorType: "STAFF",
    actorId: randomUUID(),
    actorName: "Grace Okafor",
    actorRole: "SUPERVISOR",
    targetType: "Approval",
    targetId: randomUUID(),
    subjectUserId: subject,
    caseId: null,
    requestId: null,
    ip: null,
    data: { note: "approved on the phone" },
  };
  const entry = entryBytes(forged);
  const inserted = await app.query<{ id: string }>(
    `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry,
       signature, action, outcome, "actorType", "actorId", "actorName", "actorRole",
       "targetType", "targetId", "subjectUserId", data)
     SELECT 2, coalesce(max("position"), -1) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
       $12, $13, $14, $15 FROM "AuditEvent" RETURNING id`,
    [
      forged.eventId,
      forged.appTime,
      forged.keyId,
      entry,
      signEntry(entry, privateKey),
      forged.action,
      forged.outcome,
      forged.actorType,
      forged.actorId,
      forged.actorName,
      forged.actorRole,
      forged.targetType,
      forged.targetId,
      forged.subjectUserId,
      JSON.stringify(forged.data),
    ],
  );
  planted.forged = inserted.rows[0]!.id;
  const victim = await db.auditEvent.findFirstOrThrow({
    where: { formatVersion: 2, position: 300 },
  });
  planted.altered = victim.id.toString();
  await asOwner(owner, [
    [`UPDATE "AuditEvent" SET "actorName" = 'Someone Else' WHERE id = $1`, [planted.altered]],
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

const hexBytes = (value: unknown) =>
  value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value;
const comparable = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, hexBytes(value)]));

async function bulkRows(
  where = auditWhereSql(auditCondition({ ...AuditSearchSchema.parse({}), actorNames: null })),
  batch = 97,
) {
  const client = await connectForBulkRead(process.env.DATABASE_URL!);
  try {
    const rows = [];
    for await (const rowsRead of auditRowBatches(client, { where, batch })) rows.push(...rowsRead);
    return rows;
  } finally {
    await client.end();
  }
}

const SEARCHES: Record<string, string>[] = [
  {},
  { action: "access.denied" },
  { outcome: "REFUSED" },
  { actor: "okafor" },
  { actor: "___" },
  { actor: "100%" },
  { actor: "😀😀😀" },
  { userId: subject },
  { caseId: someCase },
  { from: "2026-01-01", to: "2026-01-01" },
  { from: new Date().toISOString().slice(0, 10) },
  { to: "2025-12-31" },
  { action: "access.denied", outcome: "REFUSED", actor: "priya" },
];

describe("the cursor's rows", () => {
  it("are the rows Prisma gives, column for column, microseconds cut as Prisma cuts them", async () => {
    const prisma = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    const bulk = await bulkRows();
    expect(bulk.length).toBe(prisma.length);
    expect(bulk.length).toBeGreaterThan(630);
    expect(bulk.map(comparable)).toEqual(prisma.map(comparable));
    // The database's clock has microseconds: they were there to cut.
    const { rows } = await app.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEvent" WHERE extract(microseconds FROM "createdAt")::int % 1000 >= 500`,
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it.each(SEARCHES.map((search) => [JSON.stringify(search), search]))(
    "match the page's filters (audit-where.ts): %s",
    async (_, raw) => {
      const search = await resolveAuditSearch(db, AuditSearchSchema.parse(raw));
      const paged = (await allRows(search)).map((row) => row.id);
      const bulk = await bulkRows(auditWhereSql(await exportCondition(db, search)));
      expect(bulk.map((row) => row.id)).toEqual(paged);
    },
  );
});

/** Every row the filters match, oldest first, through Prisma (the plain condition, no id bounds). */
async function allRows(search: ResolvedAuditSearch) {
  const ids = (
    await db.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM "AuditEvent" WHERE ${auditCondition(search)} ORDER BY id`
  ).map((row) => row.id);
  const rows = await db.auditEvent.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
  return rows;
}

/** The export as it was before the bulk paths (keyset batches through Prisma, a proof per event). */
async function exportBefore(search: AuditSearch, format: ExportFormat): Promise<string> {
  const filtered = Object.keys(auditFilters(search)).length > 0;
  const checkpoint = await checkpointNote();
  const read = checkpoint ? tileHashReader(checkpoint.size, cachingTileFetcher(db)) : null;
  let out = format === "csv" ? CSV_HEADER : "";
  let events = 0;
  let excluded = 0;
  const rows = await allRows(await resolveAuditSearch(db, search));
  const marks = await markRows(rows);
  for (const [i, row] of rows.entries()) {
    const proofAt = async (position: bigint) =>
      checkpoint && read && position < BigInt(checkpoint.size)
        ? formatProof({
            index: Number(position),
            proof: await inclusionProof(Number(position), checkpoint.size, read),
            checkpointNote: checkpoint.note,
          })
        : null;
    if (marks[i] !== null) {
      excluded++;
      if (row.position !== null && format === "jsonl")
        out += excludedLine({
          position: Number(row.position),
          reason: marks[i]!,
          entry: row.entry ? Buffer.from(row.entry).toString("base64") : null,
          signature: row.signature ? Buffer.from(row.signature).toString("base64") : null,
          proof: await proofAt(row.position),
        });
      continue;
    }
    events++;
    if (format === "ocsf") {
      out += toOcsfLine(row);
      continue;
    }
    const proof = row.position === null ? null : await proofAt(row.position);
    const event = toExportedEvent(row, proof);
    out += format === "csv" ? toCsvLine(event) : toJsonLine(event);
  }
  if (format === "jsonl")
    out += endLine({
      events,
      checkpointSize: checkpoint?.size ?? null,
      checkpoint: checkpoint?.note ?? null,
      filtered,
      excluded,
    });
  return out;
}

async function exportNow(search: AuditSearch, format: ExportFormat) {
  const stream = await exportAuditEvents({ actor: await actor("SECURITY"), search, format });
  return new Response(stream).text();
}

describe("the export over the cursor", () => {
  it.each<[ExportFormat, Record<string, string>]>([
    ["jsonl", {}],
    ["csv", {}],
    ["ocsf", {}],
    ["jsonl", { userId: subject }],
    ["jsonl", { actor: "okafor" }],
    ["csv", { outcome: "REFUSED" }],
  ])("writes the lines the keyset walk wrote: %s %j", async (format, raw) => {
    const search = AuditSearchSchema.parse(raw);
    // The export records itself first; nothing is written between it and the walk before.
    const now = await exportNow(search, format);
    const before = await exportBefore(search, format);
    expect(now).toBe(before);
    if (format === "jsonl" && Object.keys(raw).length === 0) {
      const lines = now
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      const left = lines.filter((line) => "excluded" in line).map((line) => line.excluded);
      expect(left.map((row) => row.reason)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^signed by an unknown key/),
          "columns differ from the signed entry: actorName",
        ]),
      );
      expect(left.every((row) => typeof row.proof === "string" || row.position >= 620)).toBe(true);
      expect(lines.at(-1).end.excluded).toBe(2);
      expect(lines.filter((line) => typeof line.proof === "string").length).toBeGreaterThan(600);
    }
  });

  it("gives its connection back when the reader stops half-way", async () => {
    const connections = async () =>
      (
        await owner.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
          [BULK_READ_APPLICATION],
        )
      ).rows[0]!.n;
    // Walks of the tests before close their connections as they end; wait for them to go.
    await expect.poll(connections, { timeout: 5000 }).toBe(0);
    const idle = 0;
    // Batches far smaller than the log, so the walk is surely not over after the first chunk.
    const stream = await auditExportStream({
      databaseUrl: process.env.DATABASE_URL!,
      tiles: db,
      where: auditWhereSql(auditCondition({ ...AuditSearchSchema.parse({}), actorNames: null })),
      format: "jsonl",
      filtered: false,
      checkpoint: await checkpointNote(),
      keys: trustedEventKeys(),
      markV1Rows: markRows,
      batch: 20,
    });
    const reader = stream.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(await connections()).toBe(idle + 1);
    await reader.cancel();
    await expect.poll(connections, { timeout: 5000 }).toBe(idle);
  });
});

describe("the verification walk over the cursor", () => {
  it("names the forged and the altered row, and every position is accounted for", async () => {
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        id: planted.altered,
        problem: "columns differ from the signed entry: actorName",
      }),
      expect.objectContaining({
        id: planted.forged,
        problem: expect.stringMatching(/^signed by an unknown key/),
      }),
    ]);
    expect(report.rows).toBe(await db.auditEvent.count());
    expect(report.v1).toEqual({ rows: 3, chained: 3, sealed: true });
    expect(report.ledger.missing()).toEqual([]);
  });

  it("awaits its progress callback, so a caller can pace it", async () => {
    const calls: string[] = [];
    const report = verifyAuditLog(db, {
      keys: trustedEventKeys(),
      onProgress: async (rows) => {
        calls.push(`start ${rows}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        calls.push(`end ${rows}`);
      },
    });
    await report;
    const rows = (await report).rows;
    expect(calls).toEqual([`start ${rows}`, `end ${rows}`]);
  });

  it("refuses to read another database than the client's", async () => {
    const other = new URL(process.env.TEST_OWNER_DATABASE_URL!);
    other.pathname = "/postgres";
    await expect(
      verifyAuditLog(db, { keys: trustedEventKeys(), databaseUrl: other.toString() }),
    ).rejects.toThrow(/not the client's/);
  });
});
