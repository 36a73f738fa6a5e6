/**
 * Loads the demo organisation (tests/factories.ts) into an empty database, in one transaction
 * with its audit event. `npm start` calls seedDemo() on first start of the embedded database;
 * `npm run db:seed` does the same for DATABASE_URL (read from `.env` too, like npm start), e.g. to
 * try the console with demo sign-in on an external database. Refuses a database that already has
 * people.
 */
import { pathToFileURL } from "node:url";
import { createDb, type Db } from "@/lib/create-db";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { buildOrganisation, insertOrganisation, type Organisation } from "@/tests/factories";
import type { Tx } from "@/lib/server/audit";
import {
  auditKeyProblems,
  refuse,
  StartupError,
  withDatabase,
} from "../scripts/lib/startup-checks.ts";
import { loadEnvironmentFile } from "../scripts/lib/env-file.ts";

export async function seedDemo(client: Db, options: { now?: Date; size?: number } = {}) {
  const org = buildOrganisation({ now: options.now ?? new Date(), size: options.size });
  return auditedTransaction(
    client,
    async (tx) => {
      if ((await tx.workforceUser.count()) > 0 || (await tx.staff.count()) > 0)
        return { seeded: false as const };
      await insertOrganisation(tx, org);
      await recordAudit(tx, {
        action: "system.demo_seeded",
        outcome: "ALLOWED",
        actor: { type: "SYSTEM", name: "seed" },
        data: { workforceUsers: org.users.length, staff: org.staff.length },
      });
      // The demo's certifications are staff events like any other (docs/decisions/032).
      for (const certification of org.certifications)
        await recordAudit(tx, {
          action: "certification.granted",
          outcome: "ALLOWED",
          actor: { type: "SYSTEM", name: "seed" },
          target: { type: "staff", id: certification.staffId },
          data: {
            staffId: certification.staffId,
            expiresAt: new Date(certification.expiresAt).toISOString(),
            policyVersion: certification.policyVersion,
            basis: "demo",
            runIds: [],
          },
        });
      // Passkey rollout (docs/decisions/038): waves, and a campaign with some history.
      await seedRollout(tx, org, options.now ?? new Date());
      return { seeded: true as const, users: org.users.length, staff: org.staff.length };
    },
    { timeout: 60_000 },
  );
}

// ---------------------------------------------------------------------------
// Passkey rollout demo (issue 15, part C; docs/decisions/038)
// ---------------------------------------------------------------------------

const ROLLOUT_DAY = 24 * 60 * 60 * 1000;

/** A UTC midnight `days` from today. */
function rolloutDay(now: Date, days: number): Date {
  return new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + days * ROLLOUT_DAY,
  );
}

/**
 * Three waves (IT Operations and Finance first, then every high-risk and privileged person, then
 * everyone else) and a stopped campaign for the first wave, with two weeks of history: people
 * mailed over its first days, some of them covered since. Adds no person and changes no passkey,
 * so the directory's rows are those of the organisation.
 */
async function seedRollout(tx: Tx, org: Organisation, now: Date) {
  const seed = { type: "SYSTEM", name: "seed" } as const;
  const security = org.staff.find((member) => member.role === "SECURITY")!;
  const waves = [
    {
      name: "Wave 1: IT Operations and Finance",
      departments: ["IT Operations", "Finance"],
      tiers: [] as ("HIGH_RISK" | "PRIVILEGED")[],
      startsOn: rolloutDay(now, -30),
      windowEndsOn: rolloutDay(now, 30),
    },
    {
      name: "Wave 2: high-risk and privileged people",
      departments: [],
      tiers: ["HIGH_RISK", "PRIVILEGED"] as ("HIGH_RISK" | "PRIVILEGED")[],
      startsOn: rolloutDay(now, -10),
      windowEndsOn: rolloutDay(now, 50),
    },
    {
      name: "Wave 3: everyone else",
      departments: [],
      tiers: [] as ("HIGH_RISK" | "PRIVILEGED")[],
      startsOn: rolloutDay(now, 30),
      windowEndsOn: rolloutDay(now, 120),
    },
  ];
  const ids: string[] = [];
  for (const [i, wave] of waves.entries()) {
    const created = await tx.rolloutWave.create({
      data: {
        ...wave,
        createdById: security.id!,
        createdAt: new Date(now.getTime() - (40 - i) * ROLLOUT_DAY),
      },
      select: { id: true },
    });
    ids.push(created.id);
    await recordAudit(tx, {
      action: "wave.created",
      outcome: "ALLOWED",
      actor: seed,
      target: { type: "wave", id: created.id },
      data: {
        waveId: created.id,
        name: wave.name,
        departments: wave.departments,
        tiers: wave.tiers,
        startsOn: wave.startsOn.toISOString().slice(0, 10),
        windowEndsOn: wave.windowEndsOn.toISOString().slice(0, 10),
      },
    });
  }
  // Wave 1's people: at risk now (no passkey, or one device-bound), or covered (the history
  // shows them mailed and covered since).
  const passkeys = new Map<string, boolean[]>();
  for (const key of org.passkeys)
    passkeys.set(key.userId, [...(passkeys.get(key.userId) ?? []), key.backedUp]);
  const inWave = org.users.filter(
    (user) =>
      (user.status ?? "ACTIVE") === "ACTIVE" &&
      ["IT Operations", "Finance"].includes(user.department),
  );
  const atRisk = (id: string) => {
    const keys = passkeys.get(id) ?? [];
    return keys.length === 0 || (keys.length === 1 && !keys[0]);
  };
  const stillAtRisk = inWave.filter((user) => atRisk(user.id!)).slice(0, 10);
  const coveredSince = inWave.filter((user) => !atRisk(user.id!)).slice(0, 8);
  const startedAt = new Date(now.getTime() - 14 * ROLLOUT_DAY);
  const endedAt = new Date(now.getTime() - 2 * ROLLOUT_DAY);
  const mailed = [...coveredSince, ...stillAtRisk];
  const campaign = await tx.nudgeCampaign.create({
    data: {
      waveId: ids[0]!,
      startedById: security.id!,
      startedByName: security.name,
      startedAt,
      status: "stopped",
      ratePerHour: 5,
      resendDays: 7,
      atRiskAtStart: mailed.length,
      endedAt,
      lastRunAt: endedAt,
    },
    select: { id: true },
  });
  await tx.nudgeSend.createMany({
    data: mailed.map((user, i) => ({
      campaignId: campaign.id,
      userId: user.id!,
      sentAt: new Date(startedAt.getTime() + Math.floor(i / 5) * ROLLOUT_DAY + (i % 5) * 3_600_000),
      coveredAt:
        i < coveredSince.length ? new Date(startedAt.getTime() + (2 + i) * ROLLOUT_DAY) : null,
    })),
  });
  await recordAudit(tx, {
    action: "nudge.campaign_started",
    outcome: "ALLOWED",
    actor: seed,
    target: { type: "nudge_campaign", id: campaign.id },
    data: {
      campaignId: campaign.id,
      waveId: ids[0]!,
      tier: null,
      ratePerHour: 5,
      resendDays: 7,
      atRiskAtStart: mailed.length,
    },
  });
  await recordAudit(tx, {
    action: "nudge.campaign_stopped",
    outcome: "ALLOWED",
    actor: seed,
    target: { type: "nudge_campaign", id: campaign.id },
    data: { campaignId: campaign.id, mailed: mailed.length },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // Like npm start and npm run db:deploy: .env first, and every problem in one line.
  loadEnvironmentFile();
  const url = process.env.DATABASE_URL || undefined;
  if (!url)
    refuse([
      "DATABASE_URL is not set: set it to the database to load the demo organisation into (npm start loads it into the embedded one by itself).",
    ]);
  const problems = process.env.AUDIT_EVENT_KEY_FILE
    ? auditKeyProblems({ AUDIT_EVENT_KEY_FILE: process.env.AUDIT_EVENT_KEY_FILE })
    : [
        "AUDIT_EVENT_KEY_FILE is not set: the demo organisation is loaded with a signed audit event; set it to the console's event key (npm run keys:generate -- <folder> makes one).",
      ];
  if (problems.length) refuse(problems);
  try {
    const migrated = await withDatabase("DATABASE_URL", url, async (client) => {
      const { rows } = await client.query(`SELECT to_regclass('public."Staff"') IS NOT NULL AS ok`);
      return rows[0].ok as boolean;
    });
    if (!migrated)
      throw new StartupError(
        "DATABASE_URL names a database without the console's tables: run npm run db:deploy first.",
      );
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    refuse([error.message], error.exitCode);
  }
  const client = createDb(url);
  const result = await seedDemo(client);
  console.log(
    result.seeded
      ? `seeded ${result.users} workforce users and ${result.staff} staff`
      : "database already has data: not seeded",
  );
  await client.$disconnect();
}
