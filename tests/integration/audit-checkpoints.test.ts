/**
 * The signer against PostgreSQL and a real witness (docs/decisions/017): one leader at a time,
 * checkpoints that grow consistently, proofs served from the stored tiles, a rewrite after the
 * last checkpoint found before it is signed, and a rewrite after a witness cosigned refused by
 * the witness even when the attacker holds the console's own keys.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, readdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { asOwner as tamper } from "@/tests/audit-tampering";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryBytes, parseEntry, signEntry } from "@/lib/domain/audit-entry";
import { parseCheckpoint } from "@/lib/domain/tlog/checkpoint";
import { verifyConsistency, verifyInclusion } from "@/lib/domain/tlog/merkle";
import { openNote, rawPublicKey, trustedBy, verifierKey } from "@/lib/domain/tlog/note";
import { eventLeafHash } from "@/lib/domain/tlog/proof";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { eventSigner, trustedEventKeys } from "@/lib/server/audit-keys";
import {
  logVerifier,
  signRound,
  submitToWitnesses,
  type SignerConfig,
} from "@/lib/server/audit-log-signer";
import { consistencyProofAt, inclusionProofAt } from "@/lib/server/audit-tiles";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { initWitnessKey, witnessVerifierKey } from "@/lib/witness/config";
import { startWitness } from "@/lib/witness/index";
import { db } from "@/tests/db";

const ORIGIN = "console.test/audit";
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const checkpointKey: KeyObject = generateKeyPairSync("ed25519").privateKey;
let dir: string;
let witness: { server: Server; url: string; vkey: string };

function config(extra: Partial<SignerConfig> = {}): SignerConfig {
  return {
    origin: ORIGIN,
    privateKey: checkpointKey,
    eventKeys: trustedEventKeys(),
    dir,
    witnesses: [{ name: "witness.test/w1", url: witness.url, vkey: witness.vkey }],
    ...extra,
  };
}

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

/** As someone with the owner's powers: SQL with the audit tables' triggers off. */
const asOwner = (sql: string, params: unknown[] = []) => tamper(owner, [[sql, params]]);

beforeAll(async () => {
  await owner.connect();
  dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
  const witnessDir = await mkdtemp(path.join(tmpdir(), "witness-"));
  const keyFile = path.join(witnessDir, "key.pem");
  const key = initWitnessKey(keyFile);
  const started = await startWitness({
    name: "witness.test/w1",
    keyFile,
    stateFile: path.join(witnessDir, "state.json"),
    port: 0,
    host: "127.0.0.1",
    logs: [{ origin: ORIGIN, vkey: verifierKey(ORIGIN, rawPublicKey(checkpointKey)) }],
  });
  witness = {
    server: started.server,
    url: `http://127.0.0.1:${started.port}`,
    vkey: witnessVerifierKey("witness.test/w1", key),
  };
});
afterAll(async () => {
  await owner.end();
  await new Promise((resolve) => witness.server.close(resolve));
});

describe("the signer", () => {
  it("signs a checkpoint of every verified event, stores it in the database and the directory, and a witness cosigns it", async () => {
    for (let i = 0; i < 7; i++) await decide(i);
    const result = await signRound(db, config());
    const size = await db.auditEvent.count();
    expect(result).toMatchObject({
      kind: "signed",
      size,
      previousSize: 0,
      stoppedAt: null,
      flagged: [],
    });
    expect(result.kind === "signed" && result.witnesses).toEqual([
      { witness: "witness.test/w1", kind: "cosigned", size },
    ]);
    const stored = await db.auditCheckpoint.findUniqueOrThrow({ where: { size: BigInt(size) } });
    const opened = openNote(stored.note, [logVerifier(config())]);
    expect(trustedBy(opened, logVerifier(config()))).toBe(true);
    expect(parseCheckpoint(opened.text)).toMatchObject({ origin: ORIGIN, size });
    expect(await readdir(path.join(dir, "console.test_audit"))).toContain(
      `${String(size).padStart(12, "0")}.checkpoint`,
    );
    const cosigned = await db.auditCosignature.findMany({ where: { size: BigInt(size) } });
    expect(cosigned.map((c) => c.witness)).toEqual(["witness.test/w1"]);
    expect(await signRound(db, config())).toEqual({ kind: "unchanged", size });
  });

  it("signs a backlog over several rounds, each at most its cap, saying how many are left", async () => {
    const before = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { size: "desc" } });
    for (let i = 0; i < 7; i++) await decide(900 + i);
    const [head] = await db.$queryRaw<{ size: bigint }[]>`
      SELECT max("position") + 1 AS size FROM "AuditEvent"`;
    const headSize = Number(head!.size);
    const sizes: number[] = [];
    for (;;) {
      const round = await signRound(db, config(), { maxEvents: 3 });
      if (round.kind !== "signed") throw new Error(`not signed: ${JSON.stringify(round)}`);
      expect(round.size - round.previousSize).toBeLessThanOrEqual(3);
      expect(round.behind).toBe(headSize - round.size);
      sizes.push(round.size);
      if (round.behind === 0) break;
    }
    expect(sizes[0]).toBe(Number(before.size) + 3);
    expect(sizes.at(-1)).toBe(headSize);
    // Each intermediate checkpoint is consistent with the next: one tree, grown in steps.
    for (const [m, n] of sizes.slice(0, -1).map((size, i) => [size, sizes[i + 1]!])) {
      const [older, newer] = await Promise.all(
        [m, n].map((size) =>
          db.auditCheckpoint.findUniqueOrThrow({ where: { size: BigInt(size!) } }),
        ),
      );
      const proof = await consistencyProofAt(db, m!, n!);
      expect(
        verifyConsistency(
          m!,
          n!,
          proof,
          Buffer.from(older!.rootHash),
          Buffer.from(newer!.rootHash),
        ),
      ).toBe(true);
    }
  });

  it("grows consistently, and proves any event's inclusion from the stored tiles", async () => {
    const first = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { size: "desc" } });
    for (let i = 0; i < 300; i++) await decide(100 + i);
    const result = await signRound(db, config());
    expect(result.kind).toBe("signed");
    const latest = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { size: "desc" } });
    const [m, n] = [Number(first.size), Number(latest.size)];
    const proof = await consistencyProofAt(db, m, n);
    expect(
      verifyConsistency(m, n, proof, Buffer.from(first.rootHash), Buffer.from(latest.rootHash)),
    ).toBe(true);
    for (const position of [0, 1, m - 1, m, 255, 256, n - 1]) {
      const row = await db.auditEvent.findUniqueOrThrow({ where: { position } });
      const leaf = eventLeafHash(row.signature!, row.entry!);
      const path = await inclusionProofAt(db, position, n);
      expect(verifyInclusion(leaf, position, n, path, Buffer.from(latest.rootHash))).toBe(true);
      expect(verifyInclusion(leaf, position + 1, n, path, Buffer.from(latest.rootHash))).toBe(
        false,
      );
    }
    expect(await db.auditCosignature.count({ where: { size: BigInt(n) } })).toBe(1);
  });

  it("has one leader at a time: concurrent rounds sign once", async () => {
    for (let i = 0; i < 3; i++) await decide(500 + i);
    const results = await Promise.all([1, 2, 3, 4].map(() => signRound(db, config())));
    const kinds = results.map((r) => r.kind).sort();
    expect(kinds.filter((k) => k === "signed")).toHaveLength(1);
    expect(kinds.every((k) => k === "signed" || k === "not leader" || k === "unchanged")).toBe(
      true,
    );
  });

  it("names a rewrite after the last checkpoint when it signs the next one, and never lets it pass as intact", async () => {
    const before = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { size: "desc" } });
    for (let i = 0; i < 4; i++) await decide(600 + i);
    const victim = await db.auditEvent.findUniqueOrThrow({
      where: { position: Number(before.size) + 2 },
    });
    await asOwner(`UPDATE "AuditEvent" SET outcome = 'ALLOWED', reason = NULL WHERE id = $1`, [
      victim.id.toString(),
    ]);
    const result = await signRound(db, config());
    // The tree records the row as it stands (so it can never be changed back unseen) and the
    // round names it; later events are still checkpointed.
    expect(result).toMatchObject({
      kind: "signed",
      size: Number(before.size) + 4,
      stoppedAt: null,
      flagged: [
        {
          id: victim.id.toString(),
          position: String(Number(before.size) + 2),
          problem: "columns differ from the signed entry: outcome",
        },
      ],
    });
    const full = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect(full.problems).toContainEqual({
      id: victim.id.toString(),
      position: String(Number(before.size) + 2),
      problem: "columns differ from the signed entry: outcome",
    });
    // The finding is itself a signed event in the log.
    const alert = await db.auditEvent.findFirstOrThrow({
      where: { action: "audit.integrity_alert" },
      orderBy: { position: "desc" },
    });
    expect(alert.data).toMatchObject({
      flaggedCount: 1,
      flagged: [
        `position ${Number(before.size) + 2} (row ${victim.id}): columns differ from the signed entry: outcome`,
      ],
    });
  });
});

describe("a rewrite after a witness cosigned", () => {
  it("is refused by the witness even when signed with the console's own keys", async () => {
    // The rewrite is done with every key the console has: the event key re-signs an old event,
    // the tree and checkpoints are rebuilt from scratch and re-signed with the checkpoint key.
    const witnessed = await db.auditCosignature.findFirstOrThrow({ orderBy: { size: "desc" } });
    const victim = await db.auditEvent.findUniqueOrThrow({ where: { position: 3 } });
    const parsed = parseEntry(Buffer.from(victim.entry!));
    if (!parsed.ok) throw new Error(parsed.problem);
    const content = { ...parsed.content, actorName: "someone else" };
    const entry = entryBytes(content);
    await asOwner(
      `UPDATE "AuditEvent" SET entry = $2, signature = $3, "actorName" = $4 WHERE id = $1`,
      [victim.id.toString(), entry, signEntry(entry, eventSigner().privateKey), "someone else"],
    );
    // Every later row that failed is repaired too, so the whole log verifies row by row.
    await asOwner(
      `DELETE FROM "AuditCosignature"; DELETE FROM "AuditCheckpoint"; DELETE FROM "AuditTile"; DELETE FROM "AuditVerification"`,
    );
    await asOwner(
      `UPDATE "AuditEvent" SET outcome = 'REFUSED' WHERE outcome = 'ALLOWED' AND action = 'access.denied'`,
    );
    const fresh = { ...config(), dir: undefined, witnesses: [] };
    const resigned = await signRound(db, fresh);
    expect(resigned.kind).toBe("signed");
    if (resigned.kind !== "signed") return;
    const outcomes = await submitToWitnesses(db, config(), resigned.size, resigned.note);
    expect(outcomes).toEqual([
      {
        witness: "witness.test/w1",
        kind: "failed",
        problem: expect.stringMatching(/saw another tree|refused \(4\d\d\)/),
      },
    ]);
    expect(Number(witnessed.size)).toBeGreaterThan(3);
    expect(await db.auditCosignature.count()).toBe(0);
  });
});

describe("the checkpoint copy at a URL", () => {
  it("keeps every checkpoint on another host, and stops the signer when the database lost some", async () => {
    const stored = new Map<string, string>();
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        if (request.method === "PUT") {
          stored.set(request.url!, body);
          return response.writeHead(201).end();
        }
        const note = stored.get(request.url!);
        if (note === undefined) return response.writeHead(404).end();
        response.writeHead(200, { "Content-Type": "text/plain" }).end(note);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
    try {
      const remote = { ...config(), dir: url, witnesses: [] };
      await decide(900);
      const signed = await signRound(db, remote);
      expect(signed.kind).toBe("signed");
      if (signed.kind !== "signed") return;
      const name = `/checkpoints/console.test_audit/${String(signed.size).padStart(12, "0")}.checkpoint`;
      expect(stored.get(name)).toBe(signed.note);
      expect(stored.get("/checkpoints/console.test_audit/latest")).toBe(signed.note);
      // The database loses its checkpoints: the copy outside it says so.
      await asOwner(
        `DELETE FROM "AuditCosignature"; DELETE FROM "AuditCheckpoint"; DELETE FROM "AuditTile"`,
      );
      await decide(901);
      expect(await signRound(db, remote)).toEqual({
        kind: "refused",
        problem: `the checkpoint copy outside the database has size ${signed.size} but the database only 0: checkpoints were removed from the database`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("a removed event", () => {
  it("stops the tree at the hole, and is recorded once as a signed finding, not at every round", async () => {
    const local = { ...config(), dir: undefined, witnesses: [] };
    await asOwner(
      `DELETE FROM "AuditCosignature"; DELETE FROM "AuditCheckpoint"; DELETE FROM "AuditTile"`,
    );
    for (let i = 0; i < 3; i++) await decide(950 + i);
    const head = Number(
      (await db.auditEvent.aggregate({ _max: { position: true } }))._max.position,
    );
    const victim = await db.auditEvent.findUniqueOrThrow({ where: { position: head - 1 } });
    await asOwner(`DELETE FROM "AuditEvent" WHERE id = $1`, [victim.id.toString()]);
    const first = await signRound(db, local, { force: true });
    expect(first).toMatchObject({
      kind: "signed",
      size: head - 1,
      stoppedAt: {
        position: String(head - 1),
        problem: `no row holds position ${head - 1}: an event was removed`,
      },
    });
    const second = await signRound(db, local, { force: true });
    expect(second).toEqual({
      kind: "refused",
      problem: `position ${head - 1}: no row holds position ${head - 1}: an event was removed`,
    });
    await signRound(db, local, { force: true });
    const alerts = await db.auditEvent.findMany({ where: { action: "audit.integrity_alert" } });
    const aboutTheHole = alerts.filter((alert) =>
      String((alert.data as { gap: string | null }).gap).includes(`position ${head - 1}:`),
    );
    expect(aboutTheHole).toHaveLength(1);
  });
});
