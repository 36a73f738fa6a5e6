import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { endStaffSession } from "./end-staff-session";
import { resumeStaffSession } from "./resume-staff-session";
import { hashToken, newToken } from "./secrets";
import { startStaffSession } from "./start-staff-session";

const t0 = new Date("2026-11-22T08:00:00Z");
const after = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

async function signedIn(role: "AGENT" | "SUPERVISOR" | "SECURITY" = "AGENT") {
  const staff = await createStaff(db, { role });
  const token = newToken();
  await startStaffSession({ staffId: staff.id, token, method: "demo", now: t0 });
  return { staff, token };
}

describe("staff sessions", () => {
  it("uses 256-bit random tokens and stores only their hash", async () => {
    const { staff, token } = await signedIn();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = await db.staffSession.findMany({ where: { staffId: staff.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    const events = await db.auditEvent.findMany({ where: { actorId: staff.id } });
    expect(events.map((e) => [e.action, e.outcome, e.data])).toEqual([
      ["staff.signed_in", "ALLOWED", { method: "demo" }],
    ]);
    expect(
      JSON.stringify(events, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    ).not.toContain(token);
  });

  it("resumes with the staff member's role read fresh from the database", async () => {
    const { staff, token } = await signedIn("SUPERVISOR");
    expect(await resumeStaffSession(token, after(1))).toMatchObject({
      id: staff.id,
      role: "SUPERVISOR",
    });
    await db.staff.update({ where: { id: staff.id }, data: { role: "AGENT" } });
    expect(await resumeStaffSession(token, after(2))).toMatchObject({
      id: staff.id,
      role: "AGENT",
    });
  });

  it("refuses an unknown or malformed token", async () => {
    expect(await resumeStaffSession(newToken(), after(1))).toBeNull();
    expect(await resumeStaffSession("short", after(1))).toBeNull();
  });

  it("ends after 30 minutes idle and deletes the row", async () => {
    const { staff, token } = await signedIn();
    expect(await resumeStaffSession(token, after(29))).not.toBeNull();
    // Used at 29 min: now idle-deadline is 59 min.
    expect(await resumeStaffSession(token, after(58))).not.toBeNull();
    expect(await resumeStaffSession(token, after(58 + 31))).toBeNull();
    expect(await db.staffSession.count({ where: { staffId: staff.id } })).toBe(0);
  });

  it("ends 12 hours after sign-in even when used continuously", async () => {
    const { staff, token } = await signedIn();
    for (let minute = 20; minute < 12 * 60; minute += 20) {
      expect(await resumeStaffSession(token, after(minute)), `at ${minute} min`).not.toBeNull();
    }
    const row = await db.staffSession.findFirstOrThrow({ where: { staffId: staff.id } });
    expect(row.expires.getTime()).toBeLessThanOrEqual(after(12 * 60).getTime());
    expect(await resumeStaffSession(token, after(12 * 60))).toBeNull();
    expect(await db.staffSession.count({ where: { staffId: staff.id } })).toBe(0);
  });

  it("stops working at once when the staff member is disabled", async () => {
    const { staff, token } = await signedIn();
    await db.staff.update({ where: { id: staff.id }, data: { active: false } });
    expect(await resumeStaffSession(token, after(1))).toBeNull();
  });

  it("signs out server-side: the old token is worthless and the sign-out is audited", async () => {
    const { staff, token } = await signedIn();
    await endStaffSession({ token, request: { requestId: "req-1", ip: "203.0.113.9" } });
    expect(await resumeStaffSession(token, after(1))).toBeNull();
    const signOut = await db.auditEvent.findFirstOrThrow({
      where: { actorId: staff.id, action: "staff.signed_out" },
    });
    expect(signOut).toMatchObject({
      outcome: "ALLOWED",
      requestId: "req-1",
      ip: "203.0.113.9",
      actorRole: "AGENT",
    });
  });

  it("writes no audit row for signing out a session that does not exist", async () => {
    const before = await db.auditEvent.count();
    await endStaffSession({ token: newToken() });
    expect(await db.auditEvent.count()).toBe(before);
  });
});
