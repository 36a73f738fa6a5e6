import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { DomainError } from "@/lib/domain/errors";
import { resumeStaffSession } from "./resume-staff-session";
import { newToken } from "./secrets";
import { signInDemoStaff } from "./sign-in-demo-staff";

const request = { requestId: "req-demo", ip: "198.51.100.7" };

async function refusal(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("signInDemoStaff", () => {
  it("starts a session for an active staff member", async () => {
    const staff = await createStaff(db, { role: "SECURITY" });
    const token = newToken();
    await signInDemoStaff({ staffId: staff.id, token, enabled: true, request });
    expect(await resumeStaffSession(token)).toMatchObject({ id: staff.id, role: "SECURITY" });
  });

  it.each([
    [
      "demo sign-in is off",
      { enabled: false, active: true, exists: true },
      "Demo sign-in is turned off on this console.",
    ],
    [
      "unknown staff member",
      { enabled: true, active: true, exists: false },
      "That staff member does not exist.",
    ],
    [
      "staff member is disabled",
      { enabled: true, active: false, exists: true },
      "That staff member is disabled.",
    ],
  ])(
    "refuses (%s), creates no session, and audits the refusal once when it names a staff member (counts it otherwise)",
    async (detail, setup, message) => {
      const staff = await createStaff(db, { active: setup.active });
      const staffId = setup.exists ? staff.id : "00000000-0000-4000-8000-000000000000";
      const sessionsBefore = await db.staffSession.count();
      const eventsBefore = await db.auditEvent.count();
      const countedBefore = await counted("staff.sign_in_refused");

      const error = await refusal(
        signInDemoStaff({ staffId, token: newToken(), enabled: setup.enabled, request }),
      );

      expect(error).toMatchObject({ code: "SIGN_IN_REFUSED", userMessage: message });
      expect(await db.staffSession.count()).toBe(sessionsBefore);
      if (!setup.exists) {
        // Names nobody we hold: counted per window, not one audit row each (decision 002).
        expect(await db.auditEvent.count()).toBe(eventsBefore);
        expect(await counted("staff.sign_in_refused")).toBe(countedBefore + 1);
        return;
      }
      expect(await counted("staff.sign_in_refused")).toBe(countedBefore);
      expect(await db.auditEvent.count()).toBe(eventsBefore + 1);
      const event = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
      expect(event).toMatchObject({
        action: "staff.sign_in_refused",
        outcome: "REFUSED",
        reason: "SIGN_IN_REFUSED",
        actorType: "ANONYMOUS",
        requestId: "req-demo",
        data: { method: "demo", detail, ...(setup.exists ? { email: staff.email } : {}) },
      });
    },
  );
});

async function counted(action: string): Promise<number> {
  const rows = await db.refusalTally.findMany({ where: { action } });
  return rows.reduce((sum, row) => sum + row.count, 0);
}
