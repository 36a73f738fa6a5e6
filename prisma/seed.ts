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
import { buildOrganisation, insertOrganisation } from "@/tests/factories";
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
      return { seeded: true as const, users: org.users.length, staff: org.staff.length };
    },
    { timeout: 60_000 },
  );
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
