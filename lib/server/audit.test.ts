import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { recordAudit, staffActor, auditedTransaction } from "./audit";

describe("recordAudit", () => {
  it("stores the actor denormalised, the database time and the typed payload", async () => {
    const staff = await createStaff(db, { role: "SUPERVISOR", name: "Grace Test" });
    const before = await db.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: staffActor({ ...staff, role: "SUPERVISOR" }),
        data: { permission: "audit:read", path: "/audit" },
        request: { requestId: "r-1", ip: null },
      }),
    );
    const event = await db.auditEvent.findFirstOrThrow({ where: { actorId: staff.id } });
    expect(event).toMatchObject({
      actorName: "Grace Test",
      actorRole: "SUPERVISOR",
      actorType: "STAFF",
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      data: { permission: "audit:read", path: "/audit" },
    });
    expect(event.createdAt.getTime()).toBeGreaterThanOrEqual(before[0]!.now.getTime());
  });

  it("rolls the change back when the audit write fails", async () => {
    const staff = await createStaff(db, { role: "AGENT" });
    const attempt = auditedTransaction(db, async (tx) => {
      await tx.staff.update({ where: { id: staff.id }, data: { role: "SECURITY" } });
      // A payload that does not parse: the audit write throws inside the transaction.
      await recordAudit(tx, {
        action: "staff.role_changed",
        outcome: "ALLOWED",
        actor: { type: "SYSTEM", name: "test" },
        data: { from: "AGENT", to: "ADMIN" } as never,
      });
    });
    await expect(attempt).rejects.toThrow();
    expect((await db.staff.findUniqueOrThrow({ where: { id: staff.id } })).role).toBe("AGENT");
    expect(await db.auditEvent.count({ where: { action: "staff.role_changed" } })).toBe(0);
  });
});
