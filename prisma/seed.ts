/**
 * Loads the demo organisation (tests/factories.ts) into an empty database, in one transaction
 * with its audit event. `npm start` calls seedDemo() on first start of the embedded database;
 * `npm run db:seed` does the same for DATABASE_URL. Refuses a database that already has people.
 */
import { pathToFileURL } from "node:url";
import { createDb, type Db } from "@/lib/create-db";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { buildOrganisation, insertOrganisation } from "@/tests/factories";

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
      return { seeded: true as const, users: org.users.length, staff: org.staff.length };
    },
    { timeout: 60_000 },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to the database to seed.");
    process.exit(2);
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
