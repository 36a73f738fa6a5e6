/**
 * The migrations and prisma/schema.prisma must describe the same database, and the migration
 * runner must keep Prisma-compatible bookkeeping (docs/decisions/004-offline-migrations.md).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { applyMigrations, readMigrations } from "@/scripts/lib/migrations";

const adminUrl = inject("databaseAdminUrl");
const clients: pg.Client[] = [];

async function freshDatabase(template = "template0"): Promise<{ url: string; client: pg.Client }> {
  const name = `m_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  clients.push(client);
  return { url: url.toString(), client };
}

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end()));
});

/** Tables, columns, keys and indexes as PostgreSQL's catalog reports them. */
async function snapshot(client: pg.Client) {
  const columns = await client.query(`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    ORDER BY table_name, column_name`);
  const constraints = await client.query(`
    SELECT conrelid::regclass::text AS table_name, conname, contype, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'f', 'u', 'c')
      AND conrelid::regclass::text <> '_prisma_migrations'
    ORDER BY 1, 2`);
  const indexes = await client.query(`
    SELECT tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`);
  const enums = await client.query(`
    SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY 1`);
  return {
    columns: columns.rows,
    constraints: constraints.rows,
    indexes: indexes.rows,
    enums: enums.rows,
  };
}

describe("migrations", () => {
  it("build the same tables, columns, keys and indexes as schema.prisma, plus the hand-written rules", async () => {
    const fromMigrations = await freshDatabase();
    await applyMigrations(fromMigrations.url);

    const { stdout: sql } = await promisify(execFile)(
      "npx",
      [
        "prisma",
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
        "--script",
      ],
      { encoding: "utf8" },
    );
    const fromSchema = await freshDatabase();
    await fromSchema.client.query(sql);

    const a = await snapshot(fromMigrations.client);
    const b = await snapshot(fromSchema.client);
    expect(a.columns).toEqual(b.columns);
    expect(a.enums).toEqual(b.enums);
    // Hand-written SQL (CHECKs, partial unique and expression indexes) is the only difference.
    const extra = <T extends Record<string, unknown>>(x: T[], y: T[], key: keyof T) =>
      x.filter((row) => !y.some((other) => other[key] === row[key])).map((row) => row[key]);
    expect(extra(a.constraints, b.constraints, "conname").sort()).toEqual([
      "Approval_decider_not_requester",
      "AuditEvent_position_from_zero",
      "AuditEvent_v2_complete",
      "CaseContact_kind_check",
      "CaseNote_body_length",
      "FraudSignalCase_effect_check",
      "FraudSignal_effect_check",
      "NudgeCampaign_rate_check",
      "NudgeCampaign_scope_check",
      "NudgeCampaign_status_check",
      "Passkey_nickname_length",
      "PracticeRun_score_range",
      "RecoveryCase_agent_or_self_service",
      "RecoveryCase_ticketRef_length",
      "RepudiationLink_about_something",
      "RepudiationLink_change_known",
      "RolloutWave_window_check",
      "StaffCertification_expires_after_start",
      "StaffSession_expires_after_start",
      "StepLink_answer_check",
      "TemporaryAccessPass_failures_bounded",
      "WorkforceRecordChange_field_check",
    ]);
    expect(extra(a.indexes, b.indexes, "indexname").sort()).toEqual([
      "Approval_one_pending_per_case",
      "RecoveryCodeSet_one_live_per_user",
      "TemporaryAccessPass_one_active_per_user",
      "WorkforceUser_name_lower_idx",
      "WorkforceUser_phone_digits_idx",
      "WorkforceUser_scimUserName_lower_key",
    ]);
    expect(extra(b.constraints, a.constraints, "conname")).toEqual([]);
    expect(extra(b.indexes, a.indexes, "indexname")).toEqual([]);
    expect(a.indexes.filter((i) => b.indexes.some((j) => j.indexname === i.indexname))).toEqual(
      b.indexes,
    );
  }, 120_000);

  it("record each file the way prisma migrate deploy does, and apply nothing twice", async () => {
    const { url, client } = await freshDatabase();
    const files = await readMigrations();
    expect(await applyMigrations(url)).toEqual(files.map((f) => f.name));
    expect(await applyMigrations(url)).toEqual([]);
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(
      files.map((f) => ({
        migration_name: f.name,
        checksum: f.checksum,
        finished: true,
        applied_steps_count: 1,
      })),
    );
  });

  it("refuse a migration that was edited after it was applied", async () => {
    const { url, client } = await freshDatabase();
    await applyMigrations(url);
    await client.query(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`);
    await expect(applyMigrations(url)).rejects.toThrow(/was edited after it was applied/);
  });
});

describe("database rules", () => {
  it("refuse an approval decided by its requester, whatever the application does", async () => {
    const { client } = await freshDatabase(inject("templateDatabase"));
    const staff = await client.query(
      `INSERT INTO "Staff" (name, email, role) VALUES ('S', 's@x.example', 'SUPERVISOR') RETURNING id`,
    );
    const user = await client.query(
      `INSERT INTO "WorkforceUser" ("employeeId", name, department, title, "phoneOfRecord", "riskTier", "webauthnUserId", "updatedAt")
       VALUES ('E1', 'U', 'D', 'T', '+44', 'HIGH_RISK', '\\x01', now()) RETURNING id`,
    );
    const kase = await client.query(
      `INSERT INTO "RecoveryCase" ("userId", "agentId", reason, channel, "riskTier", "policyVersion", "updatedAt")
       VALUES ($1, $2, 'LOST_DEVICE', 'PHONE', 'HIGH_RISK', 1, now()) RETURNING id`,
      [user.rows[0].id, staff.rows[0].id],
    );
    const me = staff.rows[0].id;
    await expect(
      client.query(
        `INSERT INTO "Approval" ("caseId", "requestedById", "decidedById", status, snapshot, "snapshotHash")
         VALUES ($1, $2, $2, 'APPROVED', '{}', 'h')`,
        [kase.rows[0].id, me],
      ),
    ).rejects.toThrow(/Approval_decider_not_requester/);
  });
});
