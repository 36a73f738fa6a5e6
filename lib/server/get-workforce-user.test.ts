import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { recordAudit, auditedTransaction } from "./audit";
import { findRecoveryEvents } from "./find-recovery-events";
import { getWorkforceUser } from "./get-workforce-user";

describe("getWorkforceUser", () => {
  it("returns the record, manager, addresses, passkeys and recent events about the user", async () => {
    const manager = await createWorkforceUser(db, { name: "Manny Manager", passkeys: 0 });
    const user = await createWorkforceUser(db, {
      managerId: manager.id,
      riskTier: "HIGH_RISK",
      passkeys: 2,
    });
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "system.demo_seeded",
        outcome: "ALLOWED",
        actor: { type: "SYSTEM", name: "test" },
        subjectUserId: user.id,
        data: { workforceUsers: 1, staff: 0 },
      }),
    );

    const page = await getWorkforceUser(user.id);

    expect(page).toMatchObject({
      id: user.id,
      riskTier: "HIGH_RISK",
      manager: { id: manager.id, name: "Manny Manager" },
    });
    expect(page!.emails).toEqual([expect.objectContaining({ isPrimary: true, verified: true })]);
    expect(page!.passkeys).toHaveLength(2);
    expect(page!.passkeys[0]).toEqual(
      expect.objectContaining({
        modelName: expect.any(String),
        backedUp: expect.any(Boolean),
        status: "ACTIVE",
      }),
    );
    expect(page!.passkeys[0]).not.toHaveProperty("publicKey");
    // The name the owner gave a passkey on /account reaches the desk, so a caller's "my blue key"
    // matches a row.
    const named = page!.passkeys[1]!;
    await db.passkey.update({ where: { id: named.id }, data: { nickname: "Blue key" } });
    const again = await getWorkforceUser(user.id);
    expect(again!.passkeys.find((p) => p.id === named.id)?.nickname).toBe("Blue key");
    expect(page!.recentEvents.map((e) => e.action)).toEqual(["system.demo_seeded"]);
  });

  it("returns null for an unknown user", async () => {
    expect(await getWorkforceUser("00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});

describe("a row planted in the audit table", () => {
  it("is not shown in the user's recent events or recovery history (the audit page marks it)", async () => {
    const user = await createWorkforceUser(db, { passkeys: 1 });
    // As the application role could INSERT it: no signature, at the next position.
    const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await app.connect();
    await app.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry,
         signature, action, outcome, "actorType", "actorName", "subjectUserId", data)
       SELECT 2, coalesce(max("position"), -1) + 1, gen_random_uuid(), now(), 'k', '\\x00',
         '\\x00', 'passkey.revoked', 'ALLOWED', 'STAFF', 'Grace Okafor', $1, '{}' FROM "AuditEvent"`,
      [user.id],
    );
    await app.end();
    expect(await db.auditEvent.count({ where: { subjectUserId: user.id } })).toBe(1);
    expect((await getWorkforceUser(user.id))!.recentEvents).toEqual([]);
    expect(await findRecoveryEvents(user.id)).toEqual([]);
  });
});
