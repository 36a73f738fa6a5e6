import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { recordAccessDenied } from "./record-access-denied";

describe("recordAccessDenied", () => {
  it("writes one refusal naming who, what permission and where", async () => {
    const agent = await createStaff(db, { role: "AGENT", name: "Curious Agent" });
    const before = await db.auditEvent.count();
    await recordAccessDenied({
      staff: { ...agent, role: "AGENT", sessionExpires: new Date() },
      permission: "audit:read",
      path: "/audit",
      request: { requestId: "req-9", ip: "192.0.2.10" },
    });
    expect(await db.auditEvent.count()).toBe(before + 1);
    expect(await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } })).toMatchObject({
      action: "access.denied",
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      actorId: agent.id,
      actorName: "Curious Agent",
      actorRole: "AGENT",
      requestId: "req-9",
      data: { permission: "audit:read", path: "/audit" },
    });
  });
});
