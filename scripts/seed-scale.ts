/**
 * `npm run db:seed-scale -- [users] [events]`: loads a large organisation for benchmarks:
 * 100,000 workforce users (with an address, a phone of record (scripts/lib/scale-phones.ts) and a
 * passkey each) and 1,000,000 audit events in
 * format v2, written as the product writes them (docs/decisions/010, "Format v2"): each entry
 * built with entryBytes and signed with the event key (AUDIT_EVENT_KEY_FILE), at the next gapless
 * positions under the append lock, then put in the Merkle tree and checkpointed by the signer
 * (signRound), which verifies every new row. So verification, proofs and exports work on them.
 * Run against DATABASE_URL as the tables' owner, or the running demo. Never in tests.
 *
 * The events' createdAt is spread over the past year and appTime is set to the same instant (the
 * verifier tolerates 5 minutes between them); the demo's own events keep their real times.
 */
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { createDb } from "../lib/create-db.ts";
import { entryBytes, signEntry, type EntryContent } from "../lib/domain/audit-entry.ts";
import { AUDIT_CHAIN_LOCK } from "../lib/server/audit.ts";
import { eventSigner } from "../lib/server/audit-keys.ts";
import { signRound } from "../lib/server/audit-log-signer.ts";
import { signerConfig } from "../lib/server/audit-log-config.ts";
import { seededRandom } from "../tests/factories.ts";
import { auditConfig } from "./lib/audit-config.ts";
import { scalePhoneSql } from "./lib/scale-phones.ts";

const users = Number(process.argv[2] ?? 100_000);
const events = Number(process.argv[3] ?? 1_000_000);
const BATCH = 5000;
/**
 * The signer verifies and checkpoints the new rows every this many events (a round signs at most
 * MAX_ROUND_EVENTS, well inside its transaction's timeout even on a small, busy machine).
 */
const SIGN_EVERY = Number(process.env.SEED_SIGN_EVERY ?? 100_000);
const { databaseUrl } = auditConfig();
if (!databaseUrl) {
  console.error("Set DATABASE_URL (the owner's), or start the demo first.");
  process.exit(2);
}
const config = signerConfig();
if (!process.env.AUDIT_EVENT_KEY_FILE || !config) {
  console.error(
    "Needs AUDIT_EVENT_KEY_FILE (signs the events) and AUDIT_SIGNING_KEY_FILE (signs the checkpoints): start the demo first, or set them.",
  );
  process.exit(2);
}
const signer = eventSigner();
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
const r = seededRandom(42);
const started = Date.now();

const FIRST = [
  "Ada",
  "Ben",
  "Chen",
  "Dara",
  "Eli",
  "Fay",
  "Gus",
  "Hana",
  "Ivo",
  "Jun",
  "Kai",
  "Lea",
  "Mo",
  "Nia",
  "Oli",
  "Pia",
  "Rui",
  "Sam",
  "Tia",
  "Uma",
];
const LAST = [
  "Abe",
  "Birk",
  "Cruz",
  "Dahl",
  "Eze",
  "Funk",
  "Grau",
  "Holm",
  "Iqbal",
  "Jovic",
  "Kane",
  "Lund",
  "Mora",
  "Nagy",
  "Ortiz",
  "Park",
  "Quinn",
  "Roth",
  "Sato",
  "Toth",
];
const TIERS = [
  "STANDARD",
  "STANDARD",
  "STANDARD",
  "HIGH_RISK",
  "PRIVILEGED",
  "CONTRACTOR",
  "FRONTLINE",
];
const DEPARTMENTS = [
  "Finance",
  "Engineering",
  "Sales",
  "Marketing",
  "People",
  "Legal",
  "Customer Support",
  "Warehouse",
  "IT Operations",
];

// 1. Users, each with a primary address and a (placeholder) passkey.
const userIds: string[] = [];
const base =
  200_000 +
  ((await client.query(`SELECT count(*)::int AS n FROM "WorkforceUser"`)).rows[0].n as number);
for (let offset = 0; offset < users; offset += BATCH) {
  const n = Math.min(BATCH, users - offset);
  const ids = Array.from({ length: n }, () => randomUUID());
  userIds.push(...ids);
  const names = ids.map(() => `${r.pick(FIRST)} ${r.pick(LAST)} ${r.int(1, 9999)}`);
  const numbers = ids.map((_, i) => base + offset + i);
  await client.query(
    `INSERT INTO "WorkforceUser" (id, "employeeId", name, department, title, "phoneOfRecord", "riskTier", "webauthnUserId", "updatedAt")
     SELECT id, 'S' || num, name, dept, 'Staff', ${scalePhoneSql("num")}, tier::"RiskTier", decode(handle, 'hex'), now()
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, num, name, dept, tier, handle)`,
    [
      ids,
      numbers,
      names,
      ids.map(() => r.pick(DEPARTMENTS)),
      ids.map(() => r.pick(TIERS)),
      ids.map(() => randomBytes(32).toString("hex")),
    ],
  );
  await client.query(
    `INSERT INTO "WorkforceEmail" ("userId", address, kind, verified, "isPrimary")
     SELECT id, 's' || num || '@scale.example', 'work', true, true FROM unnest($1::uuid[], $2::int[]) AS t(id, num)`,
    [ids, numbers],
  );
  await client.query(
    `INSERT INTO "Passkey" ("userId", "credentialId", "publicKey", transports, aaguid, "modelName", "backedUp")
     SELECT id, cred, '\\x00'::bytea, ARRAY['internal'], '00000000-0000-0000-0000-000000000000', 'Scale test key', false
     FROM unnest($1::uuid[], $2::text[]) AS t(id, cred)`,
    [ids, ids.map(() => randomBytes(32).toString("base64url"))],
  );
}
const usersSeconds = (Date.now() - started) / 1000;
console.log(`${users} users in ${usersSeconds.toFixed(1)} s`);

// 2. Audit events at the next positions, under the lock the application appends with. Held for
// the whole load as a session lock, so each batch is one autocommitted INSERT (which, like the
// product's, reads the head in its own snapshot after the lock) and the next batch is signed
// while PostgreSQL writes this one.
const ACTIONS = [
  "case.opened",
  "step.recorded",
  "tap.issued",
  "tap.redeemed",
  "passkey.revoked",
  "access.denied",
  "staff.signed_in",
  "case.closed",
];
const ACTORS = [
  "Priya Shah",
  "Tom Becker",
  "Lucia Romero",
  "Grace Okafor",
  "Daniel Kim",
  "Mei Lin",
];
if (userIds.length === 0)
  userIds.push(
    ...(await client.query<{ id: string }>(`SELECT id FROM "WorkforceUser" LIMIT 10000`)).rows.map(
      (row) => row.id,
    ),
  );
const subjects = userIds.length ? userIds : [randomUUID()];
const actorIds = ACTORS.map(() => randomUUID());
const yearMs = 365 * 24 * 3600 * 1000;
const start = Date.now() - yearMs;
const step = yearMs / Math.max(events, 1);

type Signed = { content: EntryContent; entry: Buffer; signature: Buffer };
function signBatch(offset: number): Signed[] {
  const batch: Signed[] = [];
  for (let i = 0; i < Math.min(BATCH, events - offset); i++) {
    const refused = r.chance(0.08);
    const actor = r.int(0, ACTORS.length - 1);
    const content: EntryContent = {
      eventId: randomUUID(),
      appTime: new Date(Math.floor(start + (offset + i) * step)).toISOString(),
      keyId: signer.keyId,
      action: r.pick(ACTIONS),
      outcome: refused ? "REFUSED" : "ALLOWED",
      reason: refused ? "FORBIDDEN" : null,
      actorType: "STAFF",
      actorId: actorIds[actor]!,
      actorName: ACTORS[actor]!,
      actorRole: "AGENT",
      targetType: "case",
      targetId: null,
      subjectUserId: r.pick(subjects),
      caseId: r.chance(0.7) ? randomUUID() : null,
      requestId: randomUUID(),
      ip: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
      data: { seq: offset + i },
    };
    const entry = entryBytes(content);
    batch.push({ content, entry, signature: signEntry(entry, signer.privateKey) });
  }
  return batch;
}

function insertBatch(batch: Signed[]) {
  const col = <K extends keyof EntryContent>(key: K) => batch.map((row) => row.content[key]);
  return client.query(
    `INSERT INTO "AuditEvent" ("formatVersion", "position", "createdAt", "eventId", "appTime",
       "keyId", entry, signature, action, outcome, reason, "actorType", "actorId", "actorName",
       "actorRole", "targetType", "targetId", "subjectUserId", "caseId", "requestId", ip, data)
     SELECT 2, head.position + t.n, t.at, t.eid, t.at, t.kid, t.e, t.s, t.a, t.o::"AuditOutcome",
       t.rsn, t.aty, t.aid, t.an, t.ar, t.tt, t.ti, t.su, t.ci, t.rq, t.ip, t.d::jsonb
     FROM (SELECT coalesce(max("position"), -1) AS position FROM "AuditEvent") AS head
     CROSS JOIN unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bytea[], $5::bytea[],
       $6::text[], $7::text[], $8::text[], $9::text[], $10::uuid[], $11::text[], $12::text[],
       $13::text[], $14::text[], $15::uuid[], $16::uuid[], $17::text[], $18::text[], $19::text[])
       WITH ORDINALITY AS t(eid, at, kid, e, s, a, o, rsn, aty, aid, an, ar, tt, ti, su, ci, rq, ip, d, n)
     ORDER BY t.n`,
    [
      col("eventId"),
      col("appTime"),
      col("keyId"),
      batch.map((row) => row.entry),
      batch.map((row) => row.signature),
      col("action"),
      col("outcome"),
      col("reason"),
      col("actorType"),
      col("actorId"),
      col("actorName"),
      col("actorRole"),
      col("targetType"),
      col("targetId"),
      col("subjectUserId"),
      col("caseId"),
      col("requestId"),
      col("ip"),
      batch.map((row) => JSON.stringify(row.content.data)),
    ],
  );
}

const db = createDb(databaseUrl);
let insertMs = 0;
let signerMs = 0;
let checkpointed = 0;
const firstPosition =
  Number(
    (await client.query(`SELECT coalesce(max("position"), -1) AS max FROM "AuditEvent"`)).rows[0]
      .max,
  ) + 1;
async function checkpoint() {
  // A round signs at most MAX_ROUND_EVENTS: rounds follow each other until none is left.
  for (;;) {
    const begun = performance.now();
    const result = await signRound(db, config!, { force: true });
    const ms = performance.now() - begun;
    signerMs += ms;
    if (result.kind !== "signed")
      throw new Error(`the signer did not sign: ${JSON.stringify(result)}`);
    if (result.stoppedAt || result.flagged.length > 0)
      throw new Error(
        `the signer found ${JSON.stringify(result.stoppedAt ?? result.flagged.slice(0, 3))}`,
      );
    const verified = result.size - result.previousSize;
    checkpointed += verified;
    console.log(
      `  signer: verified ${verified} new rows, grew the tiles and signed size ${result.size} in ${(ms / 1000).toFixed(1)} s (${Math.round(verified / (ms / 1000))} rows/s)`,
    );
    if (result.behind === 0) break;
  }
}

const eventsStarted = performance.now();
await client.query("SELECT pg_advisory_lock($1)", [AUDIT_CHAIN_LOCK]);
// A year of history is back-dated on purpose: as the owner, the load turns off the trigger that
// sets createdAt to the database's clock (decision 017), and turns it back on when done.
await client.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_database_time"`);
let pending: Promise<unknown> = Promise.resolve();
let sinceRound = 0;
try {
  for (let offset = 0; offset < events; offset += BATCH) {
    const batch = signBatch(offset);
    await pending;
    if (sinceRound >= SIGN_EVERY) {
      await checkpoint();
      sinceRound = 0;
    }
    const begun = performance.now();
    pending = insertBatch(batch).then(() => (insertMs += performance.now() - begun));
    sinceRound += batch.length;
    if ((offset / BATCH) % 40 === 0) console.log(`  ${offset + batch.length} events`);
  }
  await pending;
} finally {
  await client.query(`ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_database_time"`);
  await client.query("SELECT pg_advisory_unlock($1)", [AUDIT_CHAIN_LOCK]);
}
const writeSeconds = (performance.now() - eventsStarted - signerMs) / 1000;
if (events > 0) await checkpoint();
console.log(
  `${events} audit events signed and written at positions ${firstPosition} to ${firstPosition + events - 1} in ${writeSeconds.toFixed(1)} s (${Math.round(events / writeSeconds)}/s; the INSERTs ran for ${(insertMs / 1000).toFixed(1)} s of it, overlapped with signing)`,
);
console.log(
  `signer: ${checkpointed} rows verified, tiled and checkpointed in ${(signerMs / 1000).toFixed(1)} s (${Math.round(checkpointed / (signerMs / 1000))} rows/s)`,
);
await client.query(`ANALYZE "AuditEvent"; ANALYZE "WorkforceUser"; ANALYZE "WorkforceEmail"`);
console.log(
  `${users} users and ${events} audit events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
await db.$disconnect();
await client.end();
