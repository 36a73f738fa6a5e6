/**
 * `npm run db:seed-scale -- [users] [events]`: loads a large organisation for benchmarks:
 * 100,000 workforce users (with an address and a passkey each) and 1,000,000 audit events that
 * continue the hash chain (so verification and exports work on them). Run against DATABASE_URL
 * as the tables' owner, or the running demo. Never in tests.
 */
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { chainHash, GENESIS, type ChainedContent } from "../lib/domain/audit-chain.ts";
import { AUDIT_CHAIN_LOCK } from "../lib/server/audit.ts";
import { seededRandom } from "../tests/factories.ts";
import { auditConfig } from "./lib/audit-config.ts";

const users = Number(process.argv[2] ?? 100_000);
const events = Number(process.argv[3] ?? 1_000_000);
const BATCH = 5000;
const { databaseUrl } = auditConfig();
if (!databaseUrl) {
  console.error("Set DATABASE_URL (the owner's), or start the demo first.");
  process.exit(2);
}
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
     SELECT id, 'S' || num, name, dept, 'Staff', '+44 20 7946 0000', tier::"RiskTier", decode(handle, 'hex'), now()
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
console.log(`${users} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// 2. Audit events continuing the chain, under the same lock the application appends with.
await client.query("BEGIN");
await client.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_CHAIN_LOCK]);
let prev =
  ((
    await client.query(
      `SELECT hash FROM "AuditEvent" WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1`,
    )
  ).rows[0]?.hash as string | undefined) ?? GENESIS;
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
const subjects = userIds.length ? userIds : [randomUUID()];
const start = Date.now() - 365 * 24 * 3600 * 1000;
const step = (365 * 24 * 3600 * 1000) / events;
for (let offset = 0; offset < events; offset += BATCH) {
  const rows: (ChainedContent & { prevHash: string; hash: string })[] = [];
  for (let i = 0; i < Math.min(BATCH, events - offset); i++) {
    const refused = r.chance(0.08);
    const content: ChainedContent = {
      createdAt: new Date(Math.floor(start + (offset + i) * step)).toISOString(),
      action: r.pick(ACTIONS),
      outcome: refused ? "REFUSED" : "ALLOWED",
      reason: refused ? "FORBIDDEN" : null,
      actorType: "STAFF",
      actorId: null,
      actorName: r.pick(ACTORS),
      actorRole: "AGENT",
      targetType: "case",
      targetId: null,
      subjectUserId: r.pick(subjects),
      caseId: r.chance(0.7) ? randomUUID() : null,
      requestId: null,
      ip: null,
      data: { seq: offset + i },
    };
    const hash = chainHash(prev, content);
    rows.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  const col = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  await client.query(
    `INSERT INTO "AuditEvent" ("createdAt", action, outcome, reason, "actorType", "actorName", "actorRole", "targetType", "subjectUserId", "caseId", data, "prevHash", hash)
     SELECT c, a, o::"AuditOutcome", rsn, at, an, ar, tt, su, ci, d::jsonb, ph, h
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[])
       AS t(c, a, o, rsn, at, an, ar, tt, su, ci, d, ph, h)`,
    [
      col("createdAt"),
      col("action"),
      col("outcome"),
      col("reason"),
      col("actorType"),
      col("actorName"),
      col("actorRole"),
      col("targetType"),
      col("subjectUserId"),
      col("caseId"),
      rows.map((row) => JSON.stringify(row.data)),
      col("prevHash"),
      col("hash"),
    ],
  );
  if ((offset / BATCH) % 20 === 0) console.log(`  ${offset + rows.length} events`);
}
await client.query("COMMIT");
await client.query(`ANALYZE "AuditEvent"; ANALYZE "WorkforceUser"; ANALYZE "WorkforceEmail"`);
console.log(
  `${users} users and ${events} audit events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
await client.end();
