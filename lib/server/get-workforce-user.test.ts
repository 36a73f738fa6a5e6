import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { recordAudit, auditedTransaction } from "./audit";
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
    expect(page!.recentEvents.map((e) => e.action)).toEqual(["system.demo_seeded"]);
  });

  it("returns null for an unknown user", async () => {
    expect(await getWorkforceUser("00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
