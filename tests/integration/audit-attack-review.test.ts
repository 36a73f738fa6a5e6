/**
 * An independent attacker's review of the verifiable audit log (docs/decisions/017), against
 * PostgreSQL. Each test asserts the secure behaviour. Eleven reproduced a way around the log
 * when the review was made (the comment on each gives the threat model, the steps, the impact and
 * the fix now in place); they stay as regression tests. The ones named "(held)" are attacks tried
 * that the change withstood and that the other attack tests do not already cover.
 *
 * Threat models: (1) the application role's credentials only; (2) the tables owner's powers
 * (triggers off, UPDATE/DELETE anything) but none of the console's keys; (3) the event key
 * leaked (with the application role), not the checkpoint key; (4) the console's keys leaked,
 * witnesses configured.
 *
 * Every test starts from an empty audit log (the owner wipes the audit tables) and its own
 * checkpoint directory, so tests do not depend on each other.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import {
  asOwner as tamper,
  buildV1Log as buildV1LogAs,
  forgedContent,
  V1_FIRST,
} from "@/tests/audit-tampering";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
// Type-only imports are erased: no application module is loaded before the environment is set.
import type { EntryContent } from "@/lib/domain/audit-entry";
import type { SignerConfig } from "@/lib/server/audit-log-signer";

// The reviewer page reads the checkpoint key and the log's name from the environment (lib/env.ts),
// so they are set before any application module is loaded.
const keysDir = mkdtempSync(path.join(tmpdir(), "attack-review-keys-"));
const checkpointKeyFile = path.join(keysDir, "checkpoint-key.pem");
const checkpointKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
writeFileSync(checkpointKeyFile, checkpointKey.export({ type: "pkcs8", format: "pem" }) as string, {
  mode: 0o600,
});
const ORIGIN = "console.review/audit";
process.env.AUDIT_SIGNING_KEY_FILE = checkpointKeyFile;
process.env.AUDIT_LOG_ORIGIN = ORIGIN;

const { db } = await import("@/tests/db");
const { actor } = await import("@/tests/recovery");
const { startHttpReceiver } = await import("@/tests/siem-receivers");
const { chainHashV1 } = await import("@/lib/domain/audit-chain");
const { entryBytes, eventKeyId, parseEntry, signEntry } = await import("@/lib/domain/audit-entry");
const { verifyExportLines } = await import("@/lib/domain/audit-export");
const { AuditSearchSchema } = await import("@/lib/domain/audit-search");
const { parseSiemSinks } = await import("@/lib/domain/siem-sinks");
const { newTiles } = await import("@/lib/domain/tlog/tiles");
const { openNote, rawPublicKey, signatureLine, verifierKey } =
  await import("@/lib/domain/tlog/note");
const { cosign, cosignatureKeyId } = await import("@/lib/domain/tlog/cosignature");
const { witnessVerifierKey } = await import("@/lib/witness/config");
const { eventLeafHash } = await import("@/lib/domain/tlog/proof");
const { auditedTransaction, recordAudit } = await import("@/lib/server/audit");
const { eventSigner, trustedEventKeys } = await import("@/lib/server/audit-keys");
const { countStrayRows, logVerifier, signRound } = await import("@/lib/server/audit-log-signer");
const { rootAt } = await import("@/lib/server/audit-tiles");
const { exportAuditEvents } = await import("@/lib/server/export-audit-events");
const { markRows } = await import("@/lib/server/find-audit-events");
const { runFullVerification } = await import("@/lib/server/full-verification");
const { getAuditIntegrity } = await import("@/lib/server/get-audit-integrity");
const { sealV1Log } = await import("@/lib/server/seal-v1-log");
const { deliverSiem } = await import("@/lib/server/siem/deliver");
const { verifyAuditLog } = await import("@/lib/server/verify-audit-log");

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
let dir: string;

/** As someone with the owner's powers: statements run with the audit tables' triggers off. */
const asOwner = (statements: [string, unknown[]?][]) => tamper(owner, statements);

function config(extra: Partial<SignerConfig> = {}): SignerConfig {
  return {
    origin: ORIGIN,
    privateKey: checkpointKey,
    eventKeys: trustedEventKeys(),
    dir,
    witnesses: [],
    ...extra,
  };
}

const auditor = () => ({
  logKey: verifierKey(ORIGIN, rawPublicKey(checkpointKey)),
  eventKeys: trustedEventKeys(),
});

async function decide(name: string, action: "access.denied" = "access.denied") {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action,
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      actor: { type: "SYSTEM", name },
      data: { permission: "audit:read", path: `/${name}` },
    }),
  );
}

/** The application role's INSERT of a v2 row at the next position (createdAt chosen by the caller). */
async function insertV2(content: EntryContent, entry: Buffer, sig: Buffer, createdAt?: string) {
  const result = await app.query<{ id: string; position: string }>(
    `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry,
       signature, action, outcome, reason, "actorType", "actorId", "actorName", "actorRole",
       "targetType", "targetId", data, "createdAt")
     SELECT 2, coalesce(max("position"), -1) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
       $12, $13, $14, $15, coalesce($16::timestamptz, clock_timestamp()) FROM "AuditEvent"
     RETURNING id, "position"`,
    [
      content.eventId,
      content.appTime,
      content.keyId,
      entry,
      sig,
      content.action,
      content.outcome,
      content.reason,
      content.actorType,
      content.actorId,
      content.actorName,
      content.actorRole,
      content.targetType,
      content.targetId,
      JSON.stringify(content.data),
      createdAt ?? null,
    ],
  );
  return result.rows[0]!;
}

/** A forged approval signed with a key the console does not trust, at the next position. */
async function plantForgedRow() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const content = forgedContent(eventKeyId(publicKey));
  const entry = entryBytes(content);
  return { ...(await insertV2(content, entry, signEntry(entry, privateKey))), content };
}

async function exportFile() {
  return new Response(
    await exportAuditEvents({
      actor: await actor("SECURITY"),
      search: AuditSearchSchema.parse({}),
      format: "jsonl",
    }),
  ).text();
}

const buildV1Log = () => buildV1LogAs(owner);

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "attack-review-checkpoints-"));
  await asOwner([
    [
      `DELETE FROM "AuditCosignature"; DELETE FROM "AuditCheckpoint"; DELETE FROM "AuditTile"; DELETE FROM "AuditEvent"; DELETE FROM "AuditVerification"; DELETE FROM "SiemCursor"; DELETE FROM "SiemDeadLetter"`,
    ],
  ]);
});

describe("threat model 2: the owner's powers, none of the console's keys", () => {
  /**
   * Found by review, fixed. The signer (and the page's check) compare the root recomputed from the stored tiles
   * with AuditCheckpoint."rootHash", an unsigned column, never with the root inside the signed
   * note. So the owner deletes a checkpointed event, renumbers the later rows (an entry does not
   * sign its position), rebuilds the tiles from the rows that remain and writes the new root into
   * the column. The signer's next round accepts the tree and signs a checkpoint of the rewritten
   * history; from then on the full verification (which compares with the newest checkpoint only),
   * the page's "check now" and the export verifier all say intact. No key was needed. (Only a
   * witness, or someone holding an older checkpoint, would notice.)
   * Fix: take the root from the verified note (parseCheckpoint(opened.text).rootHash), never the
   * column; and have the full verification check consistency with the directory's older
   * checkpoints, not only the newest.
   */
  it("a checkpointed event removed by the owner is not signed over: the signer checks the signed note's root, not an unsigned column", async () => {
    for (let i = 0; i < 6; i++) await decide(i === 2 ? "the decision to erase" : `before ${i}`);
    const first = await signRound(db, config());
    expect(first).toMatchObject({ kind: "signed", size: 6 });
    const victim = await db.auditEvent.findUniqueOrThrow({ where: { position: 2 } });

    // The owner removes position 2 and closes the gap.
    await asOwner([
      [`DELETE FROM "AuditEvent" WHERE id = $1`, [victim.id.toString()]],
      [`UPDATE "AuditEvent" SET "position" = "position" + 1000000 WHERE "position" > 2`],
      [`UPDATE "AuditEvent" SET "position" = "position" - 1000001 WHERE "position" > 1000000`],
    ]);
    // Ordinary traffic brings the log back to the signed size and beyond.
    await decide("after 1");
    await decide("after 2");
    // The tiles rebuilt from the rows as they now are, and the new root put in the column.
    const rows = await db.auditEvent.findMany({
      where: { position: { lt: 6 } },
      orderBy: { position: "asc" },
    });
    const leaves = rows.map((row) => eventLeafHash(row.signature!, row.entry!));
    const tiles = await newTiles(0, 6, async () => new Map(), leaves);
    await asOwner([
      [`DELETE FROM "AuditTile"`],
      ...tiles.map(
        (t) =>
          [
            `INSERT INTO "AuditTile" (level, index, width, hashes) VALUES ($1, $2, $3, $4)`,
            [t.coord.level, t.coord.index, t.coord.width, t.hashes],
          ] as [string, unknown[]],
      ),
    ]);
    const forgedRoot = await rootAt(db, 6);
    await asOwner([[`UPDATE "AuditCheckpoint" SET "rootHash" = $1 WHERE size = 6`, [forgedRoot]]]);

    const round = await signRound(db, config());
    expect
      .soft(round.kind, "the signer signs a tree that lost a checkpointed event")
      .toBe("refused");
    const full = await runFullVerification(db, {
      eventKeys: trustedEventKeys(),
      log: logVerifier(config()),
      dir,
    });
    expect.soft(full.ok, "the full verification says intact").toBe(false);
    const page = await getAuditIntegrity({ checkNow: true });
    expect.soft(page.check?.ok, "the page's check says intact").toBe(false);
    const file = await exportFile();
    expect(file).not.toContain(victim.eventId!);
    const verified = await verifyExportLines(file.split("\n"), { complete: true, ...auditor() });
    expect.soft(verified.failure, "a complete export with proofs verifies").not.toBeNull();
  });

  /**
   * Found by review, fixed. Legacy v1 rows (written before the v1 chain existed, no hash) are sealed only by their
   * count and id range: nothing commits to their content. The owner rewrites one after the seal
   * and every verifier still says intact.
   * Fix: let the seal commit to a hash of every v1 row's content (legacy rows included), and
   * check it in the full walk.
   */
  it("a legacy v1 row rewritten by the owner after the seal is named by the full verification", async () => {
    await buildV1Log();
    expect(await sealV1Log(db)).toBe("sealed");
    await decide("v2 after the seal");
    expect((await verifyAuditLog(db, { keys: trustedEventKeys() })).ok).toBe(true);

    await asOwner([
      [
        `UPDATE "AuditEvent" SET action = 'approval.approved', outcome = 'ALLOWED', reason = NULL, "actorType" = 'STAFF', "actorName" = 'Grace Okafor' WHERE id = $1`,
        [V1_FIRST + 2],
      ],
    ]);
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect(report.ok).toBe(false);
  });
});

describe("threat model 1: the application role's credentials only", () => {
  /**
   * Found by review, fixed. AuditVerification, where the signer and the full verification record their results,
   * is an ordinary table for the application role (SELECT, INSERT, UPDATE, DELETE). The page
   * shows the newest row of each kind as "Last check by the signer" and "Last full verification"
   * and says "Tampering detected" only when one of them is not ok. One INSERT with a requestedAt
   * in the future replaces both with "intact", now and for every later run.
   * Fix: sign verification results with a key the database does not hold (or keep them outside
   * the database), and revoke the application role's write access to AuditVerification.
   */
  it("a planted 'intact' result cannot hide what the full verification and the signer found", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    await signRound(db, config());
    const forged = await plantForgedRow();
    expect(await signRound(db, config())).toMatchObject({
      kind: "signed",
      flagged: [expect.objectContaining({ id: forged.id })],
    });
    const full = await runFullVerification(db, {
      eventKeys: trustedEventKeys(),
      log: logVerifier(config()),
      dir,
    });
    expect(full.problems).toContainEqual(expect.objectContaining({ id: forged.id }));

    for (const kind of ["full", "incremental"])
      await app.query(
        `INSERT INTO "AuditVerification" (id, kind, "requestedAt", "startedAt", "finishedAt", checked, total, ok, size, problems)
         VALUES ($1, $2, now() + interval '10 years', now(), now(), 4, 4, true, 4, '[]')`,
        [randomUUID(), kind],
      );
    const page = await getAuditIntegrity({ checkNow: false });
    expect
      .soft(
        (page.lastFull?.data as { ok: boolean } | undefined)?.ok,
        "the page's last full verification",
      )
      .toBe(false);
    expect.soft(page.lastAlert, "the page's last finding by the signer").not.toBeNull();
  });

  /**
   * Found by review, fixed. The search marks and the export accept any v1 row whose id lies inside the sealed v1
   * id range, without checking it against the chain or the seal's count. v1 ids have gaps (a
   * rolled-back insert uses one up), and the application role may INSERT with an explicit id, so
   * a forged, back-dated "approval.approved by Grace Okafor" placed in a gap among the legacy rows
   * shows on the reviewer page with no mark, is exported as part of the log, and the exported
   * file passes `verifyExportLines` as complete, with keys and proofs. (The full walk and the
   * page's stray-row count do notice; the search, the export and the export verifier do not.)
   * Fix: mark a v1 row as part of the log only when the full v1 check (chain + seal count/hash)
   * holds, e.g. cache the sealed v1 rows' ids and hashes at seal time and compare each row.
   */
  it("a forged v1 row planted in a gap of the sealed id range is marked and left out of the export", async () => {
    await buildV1Log();
    expect(await sealV1Log(db)).toBe("sealed");
    for (let i = 0; i < 3; i++) await decide(`v2 ${i}`);
    await signRound(db, config());

    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "AuditEvent" (id, "formatVersion", "createdAt", action, outcome, "actorType", "actorName", "actorRole", data)
       VALUES ($1, 1, '2025-12-01T12:00:00Z', 'approval.approved', 'ALLOWED', 'STAFF', 'Grace Okafor', 'SUPERVISOR', '{"note":"approved on the phone"}')
       RETURNING id`,
      [V1_FIRST + 1],
    );
    const planted = await db.auditEvent.findUniqueOrThrow({ where: { id: BigInt(rows[0]!.id) } });
    const [mark] = await markRows([planted]);
    expect.soft(mark, "the reviewer page's mark on the planted row").not.toBeNull();
    const file = await exportFile();
    const exported = file
      .trim()
      .split("\n")
      .some((line) => (JSON.parse(line) as { id?: string }).id === planted.id.toString());
    expect.soft(exported, "the planted row is exported as part of the log").toBe(false);
    if (exported) {
      const verified = await verifyExportLines(file.split("\n"), { complete: true, ...auditor() });
      expect.soft(verified.failure, "the export verifier accepts the file").not.toBeNull();
    }
    // What holds: the full walk and the page's counts name it.
    expect((await verifyAuditLog(db, { keys: trustedEventKeys() })).ok).toBe(false);
    expect((await getAuditIntegrity({ checkNow: true })).check?.ok).toBe(false);
  });

  /**
   * Found by review, fixed. The seal is skipped when ANY row has action 'audit.format_changed' (any format, not
   * signed). A row planted by the application role before the console first starts on v2 (in
   * the v1 era it could even be correctly chained) means the v1 trail is never sealed. It is
   * loud afterwards (every v1 row is named "no v1 log was sealed"), but it cannot be repaired
   * without the owner, and the v1 history is left without a seal.
   * Fix: count only a genuine seal (a v2 row that passes checkV2Row), and refuse to start when a
   * non-genuine one exists.
   */
  it("a planted 'audit.format_changed' row does not stop the v1 log being sealed", async () => {
    await buildV1Log();
    await app.query(
      `INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data)
       VALUES (3, 'audit.format_changed', 'ALLOWED', 'SYSTEM', 'audit format switch', '{}')`,
    );
    expect(await sealV1Log(db)).toBe("sealed");
  });

  /**
   * Found by review, fixed (it was loud, but permanent). The signer "signs up to the first row that is not part of the
   * log". The application role INSERTs one junk v2 row at the next position; it can never be
   * removed (append-only, the owner's triggers too, and removing it would leave a hole the
   * signer also stops at). No event after it is ever checkpointed again: the one-minute window in
   * which the owner can silently delete the newest events becomes unbounded, and no event after
   * it gets an inclusion proof.
   * Fix: let the application role append only through a SECURITY DEFINER function that assigns
   * the position (revoke its INSERT on AuditEvent), or commit every position's leaf to the tree
   * and flag bad rows separately so later genuine events are still checkpointed.
   */
  it("one junk row planted by the application role does not stop every later event from being checkpointed", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    expect(await signRound(db, config())).toMatchObject({ kind: "signed", size: 3 });
    await plantForgedRow();
    for (let i = 0; i < 3; i++) await decide(`later ${i}`);
    for (let round = 0; round < 3; round++) await signRound(db, config());
    const latest = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { size: "desc" } });
    const head = await db.auditEvent.count();
    expect(Number(latest.size), "the genuine events after the planted row are checkpointed").toBe(
      head,
    );
  });

  /**
   * Found by review, fixed. The SIEM stream sends every v2 row in position order without the per-row check every
   * other reader applies: a forged "approval.approved by Grace Okafor" planted by the application
   * role reaches the SIEM as an ordinary event (in OCSF nothing lets the receiver tell; in JSON
   * Lines only a receiver that verifies signatures itself could).
   * Fix: run checkV2Row in the deliverer and leave out (or flag, e.g. in unmapped/metadata) a row
   * that is not part of the log.
   */
  it("a forged row planted by the application role is not streamed to the SIEM as a genuine event", async () => {
    const receiver = await startHttpReceiver();
    try {
      for (let i = 0; i < 2; i++) await decide(`d${i}`);
      const forged = await plantForgedRow();
      await decide("after");
      const sink = parseSiemSinks(
        JSON.stringify([
          {
            name: "review-siem",
            type: "webhook",
            url: receiver.url,
            secretEnv: "REVIEW_SIEM_KEY",
            batchSize: 50,
            format: "ocsf",
          },
        ]),
        { REVIEW_SIEM_KEY: "review-siem-hmac-key-".padEnd(48, "x") },
      )[0]!;
      await deliverSiem(db, [sink], { batches: 5 });
      const received = receiver.requests
        .flatMap((request) => request.body.trimEnd().split("\n"))
        .map((line) => JSON.parse(line) as { metadata: { uid: string } });
      expect(received.length).toBeGreaterThanOrEqual(3);
      expect(received.map((event) => event.metadata.uid)).not.toContain(forged.content.eventId);
    } finally {
      await receiver.stop();
    }
  });

  /**
   * Found by review, fixed (it was loud and misleading). The export (and the checkpoint/proof routes) append every stored
   * AuditCosignature line of the checkpoint to the note without checking it, although the page
   * checks them. The application role inserts one line that names a configured witness, with
   * that witness's (public) key id and garbage signature bytes, under another "witness" column
   * value. From then on every proof in every export fails an auditor's check with the witness
   * keys: "bad cosignature by <witness>", i.e. the file blames the witness for a forgery.
   * Fix: attach only cosignatures that verify with a configured witness's vkey (as the page
   * does), and revoke the application role's INSERT on AuditCosignature (the signer's own role
   * can write it).
   */
  it("a planted cosignature line does not make an export's proofs fail an auditor's witness check", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    const round = await signRound(db, config());
    if (round.kind !== "signed") throw new Error(round.kind);
    const witnessName = "witness.review/w1";
    const witnessKey = generateKeyPairSync("ed25519").privateKey;
    const vkey = witnessVerifierKey(witnessName, witnessKey);
    const body = openNote(round.note, []).text;
    process.env.AUDIT_WITNESSES = JSON.stringify([
      { name: witnessName, url: "http://127.0.0.1:9", vkey },
    ]);
    // The witness's genuine cosignature, stored as the console stores it.
    await db.auditCosignature.create({
      data: {
        size: BigInt(round.size),
        witness: witnessName,
        line: cosign(body, witnessName, witnessKey, Math.floor(Date.now() / 1000)),
      },
    });
    const check = async () =>
      (
        await verifyExportLines((await exportFile()).split("\n"), {
          complete: true,
          ...auditor(),
          witnessKeys: [vkey],
        })
      ).failure;
    expect(await check()).toBeNull();

    const garbage = Buffer.alloc(72, 7);
    const line = signatureLine(
      witnessName,
      cosignatureKeyId(witnessName, rawPublicKey(witnessKey)),
      garbage,
    );
    await app.query(`INSERT INTO "AuditCosignature" (size, witness, line) VALUES ($1, $2, $3)`, [
      round.size,
      `${witnessName} (copy)`,
      line,
    ]);
    expect(await check(), "an auditor's check of a genuine export").toBeNull();
    delete process.env.AUDIT_WITNESSES;
  });

  it("(held) a planted AuditCheckpoint row (a genuine note under a larger size) stops the signer and the page check loudly", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    await signRound(db, config());
    const genuine = await db.auditCheckpoint.findFirstOrThrow();
    await app.query(
      `INSERT INTO "AuditCheckpoint" (size, "rootHash", note) VALUES (1000, $1, $2)`,
      [Buffer.from(genuine.rootHash), genuine.note],
    );
    await decide("d3");
    await expect(signRound(db, config())).rejects.toThrow(/for another log or size/);
    expect((await getAuditIntegrity({ checkNow: true })).check).toMatchObject({ ok: false });
  });

  it("(held) concurrent appends while the SIEM streams: positions never fork and the cursor skips none", async () => {
    const receiver = await startHttpReceiver();
    try {
      const sink = parseSiemSinks(
        JSON.stringify([
          {
            name: "race",
            type: "webhook",
            url: receiver.url,
            secretEnv: "REVIEW_SIEM_KEY",
            batchSize: 4,
          },
        ]),
        { REVIEW_SIEM_KEY: "review-siem-hmac-key-".padEnd(48, "x") },
      )[0]!;
      let writing = true;
      const writers = Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 8; i++) await decide(`w${w}-${i}`);
        }),
      ).finally(() => (writing = false));
      const deliverers = Promise.all(
        Array.from({ length: 3 }, async () => {
          while (writing) await deliverSiem(db, [sink], { batches: 3 });
        }),
      );
      await Promise.all([writers, deliverers]);
      for (let i = 0; i < 50; i++) {
        const [pass] = await deliverSiem(db, [sink], { batches: 10 });
        if (pass!.status !== "delivered") break;
      }
      const positions = receiver.requests
        .filter((r) => r.status === 200)
        .flatMap((request) => request.body.trimEnd().split("\n"))
        .map((line) => (JSON.parse(line) as { position: number }).position);
      expect([...new Set(positions)].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 64 }, (_, i) => i),
      );
      expect((await verifyAuditLog(db, { keys: trustedEventKeys() })).ok).toBe(true);
    } finally {
      await receiver.stop();
    }
  });
});

describe("threat model 3: the event key leaked (with the application role), not the checkpoint key", () => {
  /**
   * Found by review, fixed. createdAt, "the database's own clock", is only a column default: the application role
   * sets it in its INSERT. With the event key, an attacker appends a signed approval dated three
   * months ago (appTime and createdAt agree, so the clock check passes) at the next position. No
   * verifier relates time to position, so the full walk, the marks and the signer accept an event
   * at position n that claims to be older than events at positions before it, and older than the
   * checkpoints that did not contain it: the reviewer page and a date-filtered search/export show
   * it among the events of three months ago, with a valid inclusion proof.
   * Fix: set createdAt in the database (a BEFORE INSERT trigger forcing clock_timestamp(), or the
   * SECURITY DEFINER append function), and have the verifiers name a row whose appTime is
   * earlier than an earlier position's by more than the tolerance.
   */
  it("a back-dated event signed with the leaked event key is named by the verifiers", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    await signRound(db, config());
    const past = new Date(Date.now() - 90 * 24 * 3600 * 1000);
    const content = forgedContent(eventSigner().keyId, past);
    const entry = entryBytes(content);
    const row = await insertV2(
      content,
      entry,
      signEntry(entry, eventSigner().privateKey),
      past.toISOString(),
    );
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect
      .soft(report.ok, "the full walk accepts an event older than its predecessors")
      .toBe(false);
    const round = await signRound(db, config());
    expect.soft(round, "the signer names it").toMatchObject({
      flagged: [expect.objectContaining({ id: row.id })],
    });
  });

  /**
   * Found by review, fixed. `verifyExportLines` (npm run audit:verify-export) with the log's key is meant to prove
   * every event is in a signed checkpoint, which is what tells genuine events from ones signed
   * with a leaked event key. But which events need a proof is decided by the end line's
   * `checkpointSize`, which nothing signs. An attacker with the event key alters an exported
   * event (re-signed, columns to match), strips every proof and writes `checkpointSize: 0`: the
   * file verifies as complete, with keys.
   * Fix: with a log key, require the end line to carry the signed checkpoint note (and check its
   * size against it), or require a proof for every event when any log key is given.
   */
  it("an export re-signed with the leaked event key and stripped of its proofs fails verification with the log key", async () => {
    for (let i = 0; i < 4; i++) await decide(`d${i}`);
    await signRound(db, config());
    const lines = (await exportFile())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      (
        await verifyExportLines(
          lines.map((l) => JSON.stringify(l)),
          { complete: true, ...auditor() },
        )
      ).failure,
    ).toBeNull();

    const victim = lines[1]!;
    const parsed = parseEntry(Buffer.from(victim.entry as string, "base64"));
    if (!parsed.ok) throw new Error(parsed.problem);
    const content = {
      ...parsed.content,
      outcome: "ALLOWED",
      reason: null,
      actorName: "Grace Okafor",
    };
    const entry = entryBytes(content);
    lines[1] = {
      ...victim,
      outcome: "ALLOWED",
      reason: null,
      actorName: "Grace Okafor",
      entry: entry.toString("base64"),
      signature: signEntry(entry, eventSigner().privateKey).toString("base64"),
    };
    const forged = lines.map((line) =>
      JSON.stringify(
        "end" in line
          ? { end: { ...(line.end as object), checkpointSize: 0 } }
          : { ...line, proof: null },
      ),
    );
    const result = await verifyExportLines(forged, { complete: true, ...auditor() });
    expect(result.proven).toBe(0);
    expect(result.failure, "a file with no proof at all passes with the log key").not.toBeNull();
  });

  /**
   * Found by review, fixed. The full walk takes the LAST 'audit.format_changed' in id order as the seal (the signer's
   * stray count and the search take the first). With the event key, the attacker appends a
   * correctly chained v1 row (the v1 chain is keyless), back-dated to the v1 era, and then a
   * second signed seal that counts it: the full walk says intact, so a forged event now sits in
   * the "sealed" v1 history. (The signer's stray count, which reads the first seal, disagrees.)
   * Fix: only the first seal (lowest position) counts everywhere, and any later
   * 'audit.format_changed' is named; sealV1Log never writes a second.
   */
  it("a second seal signed with the leaked event key does not re-open the v1 history", async () => {
    const { head, headId } = await buildV1Log();
    expect(await sealV1Log(db)).toBe("sealed");
    await decide("v2 after the seal");
    await signRound(db, config());

    const v1 = {
      createdAt: "2026-01-01T00:00:05.000Z",
      action: "approval.approved",
      outcome: "ALLOWED",
      reason: null,
      actorType: "STAFF",
      actorId: null,
      actorName: "Grace Okafor",
      actorRole: "SUPERVISOR",
      targetType: null,
      targetId: null,
      subjectUserId: null,
      caseId: null,
      requestId: null,
      ip: null,
      data: {},
    };
    const hash = chainHashV1(head, v1);
    await app.query(
      `INSERT INTO "AuditEvent" (id, "formatVersion", "createdAt", action, outcome, "actorType", "actorName", "actorRole", data, "prevHash", hash)
       VALUES ($1, 1, $2, $3, 'ALLOWED', 'STAFF', $4, 'SUPERVISOR', '{}', $5, $6)`,
      [headId + 1, v1.createdAt, v1.action, v1.actorName, head, hash],
    );
    const content: EntryContent = {
      eventId: randomUUID(),
      appTime: new Date().toISOString(),
      keyId: eventSigner().keyId,
      action: "audit.format_changed",
      outcome: "ALLOWED",
      reason: null,
      actorType: "SYSTEM",
      actorId: null,
      actorName: "audit format switch",
      actorRole: null,
      targetType: null,
      targetId: null,
      subjectUserId: null,
      caseId: null,
      requestId: null,
      ip: null,
      data: {
        from: 1,
        to: 2,
        v1Rows: 6,
        chained: 4,
        firstId: String(V1_FIRST),
        headId: String(headId + 1),
        headHash: hash,
      },
    };
    const entry = entryBytes(content);
    await insertV2(content, entry, signEntry(entry, eventSigner().privateKey));
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    // The signer's count already disagrees with the walk (it reads the first seal).
    expect(await countStrayRows(db, report.size)).toBe(1);
    expect(report.ok, "the full walk accepts the re-sealed v1 history").toBe(false);
  });
});
