/**
 * A second independent attacker's review of the verifiable audit log (docs/decisions/017), against
 * PostgreSQL. It does not repeat the first review's attacks (audit-attack-review.test.ts). Each
 * test asserts the secure behaviour. Eleven reproduced a way around the log when the review was
 * made (the comment on each gives the threat model, the steps, the impact and the fix now in
 * place); they stay as regression tests. The ones named "(held)" are attacks tried that the
 * change withstood.
 *
 * Threat models: (1) the application role's credentials only (INSERT/SELECT on the audit tables;
 * it can call audit_append directly, or INSERT rows with any position); (2) the tables owner's
 * powers (triggers off, UPDATE/DELETE anything) but none of the console's keys; (3) the event key
 * leaked (with the application role), not the checkpoint key. Also: (0) no database access at
 * all, only an exported file on its way to an auditor; (C) write access to the checkpoint copy
 * location (AUDIT_CHECKPOINT_DIR) only.
 *
 * Every test starts from an empty audit log (the owner wipes the audit tables) and its own
 * checkpoint directory, so tests do not depend on each other.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { asOwner as tamper, buildV1Log as buildV1LogAs, V1_FIRST } from "@/tests/audit-tampering";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
// Type-only imports are erased: no application module is loaded before the environment is set.
import type { SignerConfig } from "@/lib/server/audit-log-signer";

// The reviewer page reads the checkpoint key and the log's name from the environment (lib/env.ts),
// so they are set before any application module is loaded.
const keysDir = mkdtempSync(path.join(tmpdir(), "attack-review-2-keys-"));
const checkpointKeyFile = path.join(keysDir, "checkpoint-key.pem");
const checkpointKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
writeFileSync(checkpointKeyFile, checkpointKey.export({ type: "pkcs8", format: "pem" }) as string, {
  mode: 0o600,
});
const ORIGIN = "console.review2/audit";
process.env.AUDIT_SIGNING_KEY_FILE = checkpointKeyFile;
process.env.AUDIT_LOG_ORIGIN = ORIGIN;

const { db } = await import("@/tests/db");
const { actor } = await import("@/tests/recovery");
const { verifyExportLines } = await import("@/lib/domain/audit-export");
const { AuditSearchSchema } = await import("@/lib/domain/audit-search");
const { rawPublicKey, verifierKey } = await import("@/lib/domain/tlog/note");
const { auditedTransaction, recordAudit } = await import("@/lib/server/audit");
const { trustedEventKeys } = await import("@/lib/server/audit-keys");
const { logVerifier, signRound } = await import("@/lib/server/audit-log-signer");
const { runFullVerification } = await import("@/lib/server/full-verification");
const { exportAuditEvents } = await import("@/lib/server/export-audit-events");
const { markRows } = await import("@/lib/server/find-audit-events");
const { getAuditIntegrity } = await import("@/lib/server/get-audit-integrity");
const { sealV1Log } = await import("@/lib/server/seal-v1-log");
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

async function decide(name: string) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      actor: { type: "SYSTEM", name },
      data: { permission: "audit:read", path: `/${name}` },
    }),
  );
}

/**
 * The application role's INSERT of a row in a format no verifier knows, at a position of its
 * choosing (the check constraints only ask a v2 row for its columns, and any position for >= 0).
 */
const PLANT = `INSERT INTO "AuditEvent" ("formatVersion", "position", action, outcome, "actorType", "actorName", data)
     VALUES ($1, $2, 'approval.approved', 'ALLOWED', 'STAFF', 'Grace Okafor', '{}') RETURNING id`;

/**
 * The application role's attempt to plant a row at a position. Since the review, a trigger lets
 * a row take only the next position (and only a v2 row take one): the attempt is refused.
 */
async function plantAtPosition(position: bigint | number, formatVersion = 7) {
  await expect(app.query(PLANT, [formatVersion, position.toString()])).rejects.toThrow(
    /is not the next one|only a v2 audit event has a position/,
  );
}

/** The same plant by the owner, with the triggers off (threat model 2). */
async function plantAtPositionAsOwner(position: bigint | number, formatVersion = 7) {
  let id = "";
  await owner.query("BEGIN");
  await owner.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_next_position"`);
  id = (await owner.query<{ id: string }>(PLANT, [formatVersion, position.toString()])).rows[0]!.id;
  await owner.query(`ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_next_position"`);
  await owner.query("COMMIT");
  return id;
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

type Line = Record<string, unknown> & { end?: Record<string, unknown> };
const parseLines = (file: string) =>
  file
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Line);

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "attack-review-2-checkpoints-"));
  await asOwner([
    [
      `DELETE FROM "AuditCosignature"; DELETE FROM "AuditCheckpoint"; DELETE FROM "AuditTile"; DELETE FROM "AuditEvent"; DELETE FROM "AuditVerification"; DELETE FROM "SiemCursor"; DELETE FROM "SiemDeadLetter"`,
    ],
  ]);
});

describe("threat model 1: the application role's credentials only", () => {
  /**
   * Found by the second review, fixed (threat model 1). audit_append gives the next events `max(position) + n`, and the
   * application role may INSERT a row with any position (the only check is position >= 0; a
   * format other than 2 does not even need the v2 columns). One INSERT at position 2^63 − 1
   * makes every later append overflow bigint ("bigint out of range"): every audited transaction
   * in the product (sign-ins, approvals, revocations, the signer's own findings, the export's
   * audit.exported) now fails and rolls back, and the row can never be removed (append-only, for
   * the owner too). A denial of the audit trail, and so of the whole console, from one statement.
   * Fix: revoke INSERT on "AuditEvent" from the application role and make audit_append SECURITY
   * DEFINER the only writer (or a BEFORE INSERT trigger that rejects any position but max + 1).
   */
  it("one row planted at position 2^63-1 does not make every later audited action fail", async () => {
    for (let i = 0; i < 2; i++) await decide(`d${i}`);
    await plantAtPosition(9223372036854775807n);
    await expect(decide("an ordinary audited action after the plant")).resolves.toBeUndefined();
  });

  /**
   * Found by the second review, fixed (threat model 1). The first review's fix lets a junk row at the NEXT position be
   * checkpointed over, but a row at a FAR position still stops the tree: the application role
   * INSERTs one row at position head + 1000; audit_append then gives every genuine event a
   * position after it, so positions head … head + 999 hold no row, and the signer treats that
   * as "an event was removed" and stops there for ever. No genuine event after the plant is ever
   * checkpointed again (the minute in which the owner can silently delete the newest events
   * becomes unbounded; no later event gets an inclusion proof; witnesses see nothing new), and
   * the gap cannot be filled (the positions were never used) nor the row removed.
   * Fix: assign positions only in audit_append (revoke the application role's INSERT, make the
   * function SECURITY DEFINER), and count the head from the rows it wrote, not max(position).
   */
  it("one row planted at a far position does not stop every later genuine event from being checkpointed", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    expect(await signRound(db, config())).toMatchObject({ kind: "signed", size: 3 });
    await plantAtPosition(3 + 1000);
    for (let i = 0; i < 3; i++) await decide(`later ${i}`);
    for (let round = 0; round < 3; round++) await signRound(db, config());
    const latest = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { size: "desc" } });
    const genuine = await db.auditEvent.findMany({
      where: { formatVersion: 2, actorName: { startsWith: "later" } },
      select: { position: true },
    });
    expect(genuine).toHaveLength(3);
    for (const row of genuine)
      expect(
        Number(row.position),
        "a genuine event after the plant is inside the latest checkpoint",
      ).toBeLessThan(Number(latest.size));
  });

  /**
   * Found by the second review, fixed (threat model 1). The full verification (npm run audit:verify) sizes its position
   * ledger from max(position) + 1 and allocates 32 bytes per position (PositionLedger). One row
   * INSERTed by the application role at position 2^40 makes it throw (RangeError: an allocation
   * of 32 TiB) instead of naming the row: the one check that reads every row can no longer run,
   * no audit.verified result is recorded, and the reviewer page keeps showing the last one.
   * Fix: size the walk from the rows counted (or the newest checkpoint), and name any position
   * at or beyond the number of v2 rows as "outside the log" without allocating for it.
   */
  it("one row planted at position 2^40 does not crash the full verification: the walk names it", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    const planted = await plantAtPositionAsOwner(2n ** 40n);
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() }).catch((error: Error) => ({
      crashed: error.message,
    }));
    expect(report, "the full walk's report").not.toHaveProperty("crashed");
    expect(report).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([expect.objectContaining({ id: planted })]),
    });
  });

  /**
   * Found by the second review, fixed (threat model 1). A round says what it finds as a signed `audit.integrity_alert`, but
   * says a persisting gap and an unchanged count of stray rows only once: it compares with the
   * newest row whose action is audit.integrity_alert and formatVersion 2, without checking that
   * row is part of the log. The application role INSERTs (a) a forged v1 row (a stray row: an
   * "approval.approved by Grace Okafor" the signer should report) and (b) a fake alert beyond
   * the head, at position 1000, whose data already "said" what the signer will find:
   * `{gap: "position 3: no row holds position 3: an event was removed", strayRows: 1}` (the
   * gap is the one its own far position makes; the text is predictable). The signer then stops
   * at position 3 and records NO signed finding at all: the reviewer page shows no alert, though
   * the tree stopped and a forged row sits outside the log.
   * Fix: compare with the newest alert that passes checkV2Row (as the page's latestSignedEvent
   * does), at a position below the size the round read.
   */
  it("a planted fake 'integrity_alert' does not silence the signer's finding of a stray row and a gap", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    expect(await signRound(db, config())).toMatchObject({ kind: "signed", size: 3 });
    await app.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, "actorType", "actorName", "actorRole", data)
       VALUES (1, now(), 'approval.approved', 'ALLOWED', 'STAFF', 'Grace Okafor', 'SUPERVISOR', '{"note":"approved on the phone"}')`,
    );
    await app.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry, signature,
         action, outcome, reason, "actorType", "actorName", data)
       SELECT 2, max("position") + 1, $1::uuid, now(), 'ffffffffffffffff', '\\x00'::bytea, '\\x00'::bytea, 'audit.integrity_alert', 'REFUSED'::"AuditOutcome",
         'NOT_PART_OF_THE_LOG', 'SYSTEM', 'audit signer', $2::jsonb FROM "AuditEvent"`,
      [
        randomUUID(),
        JSON.stringify({
          checkpointSize: 3,
          flagged: [],
          flaggedCount: 0,
          gap: null,
          strayRows: 1,
        }),
      ],
    );
    await signRound(db, config());
    const page = await getAuditIntegrity({ checkNow: false });
    // (Since the review, the fake cannot sit far ahead; at the next position it says the same.)
    expect(page.lastAlert, "a signed finding of the stray row").not.toBeNull();
  });

  /**
   * Found by the second review, fixed (threat model 1). The search marks and the export accept a v1 row only while the sealed
   * id range holds exactly as many v1 rows as were sealed; otherwise EVERY v1 row is marked
   * "the sealed v1 rows no longer match their seal". The application role INSERTs one v1 row
   * with an explicit id in a gap of the sealed range (ids have gaps): from then on the whole
   * genuine, sealed v1 history is shown on the reviewer page as "not part of the log" and is left
   * out of every export, whose end line lists no position for it (v1 rows have none), so the
   * export of the v2 log still verifies as complete. The row can never be removed.
   * Fix: mark v1 rows against the seal row by row (keep the sealed rows' ids and hashes, or the
   * chain walk), so a planted row is named and the sealed ones stay part of the log.
   */
  it("one v1 row planted in the sealed id range does not disown the whole genuine v1 history", async () => {
    await buildV1Log();
    expect(await sealV1Log(db)).toBe("sealed");
    for (let i = 0; i < 2; i++) await decide(`v2 ${i}`);
    await signRound(db, config());
    const genuine = await db.auditEvent.findMany({
      where: { formatVersion: 1 },
      orderBy: { id: "asc" },
    });
    expect(genuine).toHaveLength(5);
    expect(await markRows(genuine)).toEqual([null, null, null, null, null]);

    await app.query(
      `INSERT INTO "AuditEvent" (id, "formatVersion", "createdAt", action, outcome, "actorType", "actorName", data)
       VALUES ($1, 1, '2025-12-01T12:00:00Z', 'access.denied', 'REFUSED', 'SYSTEM', 'nobody', '{}')`,
      [V1_FIRST + 1],
    );
    expect
      .soft(await markRows(genuine), "the reviewer page's marks on the genuine v1 rows")
      .toEqual([null, null, null, null, null]);
    const file = await exportFile();
    const exportedIds = parseLines(file).map((line) => line.id);
    expect
      .soft(
        genuine.filter((row) => !exportedIds.includes(row.id.toString())).map((row) => row.id),
        "genuine sealed v1 rows left out of the export",
      )
      .toEqual([]);
    // And the export without its v1 history still verifies as complete, with every key.
    if (!exportedIds.includes(genuine[0]!.id.toString()))
      expect
        .soft(
          (await verifyExportLines(file.split("\n"), { complete: true, ...auditor() })).failure,
          "the complete check of an export missing the whole sealed v1 history",
        )
        .not.toBeNull();
  });
});

describe("threat model 0/2: the export's end line is not evidence", () => {
  /**
   * Found by the second review, fixed (threat model 0: anyone who handles the file; no key, no database access). The end
   * line's `excludedPositions` ("rows left out because they are not part of the log") is not
   * signed and not backed by anything: `verifyExportLines` with `complete: true`, the event
   * keys AND the log key accepts a genuine export from which a genuine, checkpointed event was
   * deleted, as long as its position is listed as excluded (events − 1, excluded + 1). So a
   * reader who is handed the file can be fooled into accepting a "complete" export that omits,
   * say, an approval. (npm run audit:verify-export prints only "ok".)
   * Fix: for each excluded position inside the signed checkpoint, export the row's leaf
   * (entry + signature, or its leaf hash) with an inclusion proof and the reason, and have the
   * verifier fail a complete export unless each one is proven at that position AND fails the
   * per-row check.
   */
  it("a genuine checkpointed event removed from an export and listed as 'excluded' fails the complete check", async () => {
    for (let i = 0; i < 4; i++) await decide(i === 1 ? "the decision to hide" : `d${i}`);
    expect(await signRound(db, config())).toMatchObject({ kind: "signed" });
    const lines = parseLines(await exportFile());
    expect(
      (
        await verifyExportLines(
          lines.map((l) => JSON.stringify(l)),
          { complete: true, ...auditor() },
        )
      ).failure,
    ).toBeNull();
    const victim = lines.find((line) => line.actorName === "the decision to hide")!;
    const end = lines.at(-1)!.end!;
    const edited = lines
      .filter((line) => line !== victim)
      .map((line) =>
        JSON.stringify(
          line.end
            ? {
                end: {
                  ...end,
                  events: (end.events as number) - 1,
                  excluded: (end.excluded as number) + 1,
                  excludedPositions: [victim.position],
                },
              }
            : line,
        ),
      );
    const result = await verifyExportLines(edited, { complete: true, ...auditor() });
    expect(result.failure, "the complete check of a file missing a genuine event").not.toBeNull();
  });

  /**
   * Found by the second review, fixed (threat model 2: the owner's powers, no key). The same gap, reached through the
   * console's own export: the owner changes one column the signature does not cover, the
   * genuine, checkpointed row's `createdAt` (the per-row clock check then fails). The tree's
   * leaf is unchanged (signature and entry are), so no checkpoint or witness notices; the signer
   * never re-reads checkpointed rows; the page's "check now" reads only rows after the
   * checkpoint. The console's export now leaves the genuine approval out, lists its position as
   * excluded, and the file verifies as complete with every key. Only a full walk names it.
   * Fix: as above (an excluded position inside the checkpoint carries its leaf and proof, so a
   * reader sees a validly signed event was withheld); and let the clock check use createdAt only
   * for rows not yet checkpointed.
   */
  it("a genuine checkpointed event whose createdAt the owner moved is not silently left out of a 'complete' export", async () => {
    for (let i = 0; i < 4; i++) await decide(i === 2 ? "the decision to hide" : `d${i}`);
    expect(await signRound(db, config())).toMatchObject({ kind: "signed" });
    await asOwner([
      [
        `UPDATE "AuditEvent" SET "createdAt" = "createdAt" - interval '1 hour' WHERE "actorName" = 'the decision to hide'`,
      ],
    ]);
    const file = await exportFile();
    const omitted = !parseLines(file).some((line) => line.actorName === "the decision to hide");
    const result = await verifyExportLines(file.split("\n"), { complete: true, ...auditor() });
    expect(
      omitted && result.failure === null,
      "the export omits the genuine event and still verifies as complete",
    ).toBe(false);
  });
});

describe("threat model C: write access to the checkpoint copy location only", () => {
  /**
   * Found by the second review, fixed (threat model C; also anyone who can PUT to an http(s) copy store). checkpoint-store.ts
   * says "whoever reads the copy trusts only what the log's key signed", but `newest()` takes a
   * directory copy's size from its FILE NAME (and an HTTP copy's from the unverified note), and
   * the signer refuses for ever when that size exceeds the database's ("checkpoints were
   * removed"). One unsigned file named 999999999999.checkpoint stops all checkpointing: the tail
   * window becomes unbounded, witnesses get nothing, and the refusal blames the database.
   * Fix: in newest(), open the note with the log's verifier and take the size from the signed
   * checkpoint; ignore (and report) a copy that does not verify.
   */
  it("an unsigned file in the checkpoint copy directory does not stop the signer", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    expect(await signRound(db, config())).toMatchObject({ kind: "signed", size: 3 });
    const folder = path.join(dir, ORIGIN.replace(/[^A-Za-z0-9.-]/g, "_"));
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "999999999999.checkpoint"), "not a checkpoint\n");
    await decide("d3");
    expect(await signRound(db, config())).toMatchObject({ kind: "signed", size: 4 });
  });
});

describe("threat model 3: the event key leaked (with the application role), not the checkpoint key", () => {
  /**
   * Found by the second review, fixed (threat model 3). The first review's fix moved the verification results out of a table
   * into signed events (audit.verified, audit.integrity_alert), and the reviewer page shows the
   * newest of each that is part of the log. But those results are signed with the EVENT key,
   * which every application host holds, not with the checkpoint key. With the leaked event key,
   * the attacker appends one `audit.verified {ok: true, problemCount: 0}` (and one clean
   * `audit.integrity_alert`) after the genuine failing result: the page's "last full
   * verification" now says intact, although the walk that really ran found the forged row. The
   * forgery is a genuine-looking event, checkpointed like any other; nothing names it.
   * Fix: sign verification results with the checkpoint key (or a separate verifier key kept
   * off the application hosts) and have the page accept only those; or show every failing
   * result since the last checkpointed clean one, not the newest.
   */
  it("a clean 'audit.verified' signed with the leaked event key does not replace the failing full verification on the page", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    await signRound(db, config());
    // Model 1 part: a forged approval with a bogus signature at the next position.
    await app.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry, signature,
         action, outcome, "actorType", "actorName", "actorRole", data)
       SELECT 2, max("position") + 1, $1, now(), 'ffffffffffffffff', '\\x00', '\\x00', 'approval.approved',
         'ALLOWED', 'STAFF', 'Grace Okafor', 'SUPERVISOR', '{}' FROM "AuditEvent"`,
      [randomUUID()],
    );
    const full = await runFullVerification(db, {
      eventKeys: trustedEventKeys(),
      log: logVerifier(config()),
      dir,
    });
    expect(full.ok).toBe(false);
    expect((await getAuditIntegrity({ checkNow: false })).lastFull?.data).toMatchObject({
      ok: false,
    });

    // The attacker, with the event key (the same signing path the console uses).
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "audit.verified",
        outcome: "ALLOWED",
        actor: { type: "SYSTEM", name: "npm run audit:verify" },
        data: {
          ok: true,
          rows: 5,
          size: 5,
          checkpointSize: 4,
          problemCount: 0,
          problems: [],
          attestation: null,
        },
      }),
    );
    const page = await getAuditIntegrity({ checkNow: false });
    expect(
      (page.lastFull?.data as { ok?: boolean } | undefined)?.ok,
      "the page's last full verification",
    ).toBe(false);
  });
});

describe("threat model 1: planted checkpoints and the export", () => {
  /**
   * Found by the second review, fixed (threat model 1). The first review showed a planted AuditCheckpoint row (a genuine note
   * under a larger size) stops the signer loudly. The export and the proof routes, however, take
   * the newest AuditCheckpoint row as it stands (checkpointNote(): no signature or size check)
   * and compute every proof against it: one INSERT by the application role and every export
   * either fails or carries proofs and an end line an auditor's check rejects, i.e. the console
   * can no longer hand out a verifiable export, and the file blames the log.
   * Fix: checkpointNote() must take the newest row whose note verifies with the log's key and
   * whose signed size equals the row's size (latestCheckpoint()), and revoke the application
   * role's INSERT on AuditCheckpoint (only the signer writes it).
   */
  it("a planted AuditCheckpoint row does not break every export's verification", async () => {
    for (let i = 0; i < 3; i++) await decide(`d${i}`);
    await signRound(db, config());
    const genuine = await db.auditCheckpoint.findFirstOrThrow();
    await app.query(
      `INSERT INTO "AuditCheckpoint" (size, "rootHash", note) VALUES (1000, $1, $2)`,
      [Buffer.from(genuine.rootHash), genuine.note],
    );
    const outcome = await exportFile()
      .then(async (file) => {
        const result = await verifyExportLines(file.split("\n"), { complete: true, ...auditor() });
        return result.failure ?? "verified";
      })
      .catch((error: Error) => `the export failed: ${error.message}`);
    expect(outcome).toBe("verified");
  });
});

describe("threat model 1: many junk rows and the export's end line", () => {
  /**
   * Found by the second review, fixed (threat model 1). The export lists at most 10,000 excluded positions on its end line
   * (MAX_EXCLUDED_LISTED), and the export verifier fails a complete export with any skipped
   * position the end line does not list. The application role calls audit_append once with
   * 10,001 junk events (any content: they are only "not part of the log"): from then on every
   * genuine, unfiltered export the console makes fails `npm run audit:verify-export`
   * ("position … is missing, and the export does not say it left it out"), for ever, since
   * the rows cannot be removed. Auditors can no longer be given a verifiable complete export.
   * Fix: describe excluded positions as ranges (or stream them as their own lines with their
   * leaves and proofs) with no cap, so an export always accounts for every position.
   */
  it("10,001 junk rows appended through audit_append do not make every complete export fail verification", async () => {
    for (let i = 0; i < 2; i++) await decide(`d${i}`);
    const junk = Array.from({ length: 10_001 }, () => ({
      eventId: randomUUID(),
      appTime: new Date().toISOString(),
      keyId: "0000000000000000",
      entry: "AA==",
      signature: "AA==",
      action: "access.denied",
      outcome: "REFUSED",
      actorType: "SYSTEM",
      actorName: "junk",
      data: {},
    }));
    await app.query(`SELECT "audit_append"($1::jsonb, false)`, [JSON.stringify(junk)]);
    await decide("after the junk");
    await signRound(db, config());
    const file = await exportFile();
    expect(parseLines(file).some((line) => line.actorName === "after the junk")).toBe(true);
    expect(
      (await verifyExportLines(file.split("\n"), { complete: true, ...auditor() })).failure,
      "the complete check of the console's own genuine export",
    ).toBeNull();
  }, 120_000);
});

describe("(held) attacks the change withstood", () => {
  it("(held) the application role calling audit_append directly with crafted events (data not an object, bogus entry, wrong key) gets them flagged, and later genuine events are checkpointed and exported", async () => {
    for (let i = 0; i < 2; i++) await decide(`d${i}`);
    const crafted = [{ data: "a string, not an object" }, { data: [1, 2, 3] }, { data: null }].map(
      (extra) => ({
        eventId: randomUUID(),
        appTime: new Date().toISOString(),
        keyId: "0000000000000000",
        entry: Buffer.from("{}").toString("base64"),
        signature: Buffer.alloc(64).toString("base64"),
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
        ...extra,
      }),
    );
    await app.query(`SELECT "audit_append"($1::jsonb, true)`, [JSON.stringify(crafted)]);
    for (let i = 0; i < 2; i++) await decide(`later ${i}`);
    const round = await signRound(db, config());
    expect(round).toMatchObject({ kind: "signed" });
    if (round.kind !== "signed") return;
    expect(round.flagged).toHaveLength(3);
    const head = await db.auditEvent.count({ where: { formatVersion: 2 } });
    expect(round.size).toBeGreaterThanOrEqual(head - 1); // the round's own alert comes after
    const file = await exportFile();
    expect(parseLines(file).filter((line) => line.actorName === "Grace Okafor")).toEqual([]);
    expect(
      (await verifyExportLines(file.split("\n"), { complete: true, ...auditor() })).failure,
    ).toBeNull();
  });

  it("(held) the signer racing concurrent appends: every checkpoint is consistent and the full walk is intact", async () => {
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 10; i++) await decide(`w${w}-${i}`);
      }),
    ).finally(() => (writing = false));
    const signers = Promise.all(
      Array.from({ length: 2 }, async () => {
        while (writing) await signRound(db, config());
      }),
    );
    await Promise.all([writers, signers]);
    await signRound(db, config());
    const full = await runFullVerification(db, {
      eventKeys: trustedEventKeys(),
      log: logVerifier(config()),
      dir,
    });
    expect(full.problems).toEqual([]);
    expect(full.ok).toBe(true);
    expect(
      (await verifyExportLines((await exportFile()).split("\n"), { complete: true, ...auditor() }))
        .failure,
    ).toBeNull();
  });
});
