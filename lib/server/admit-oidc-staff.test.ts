import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { admitOidcStaff, provisionOidcStaff } from "./admit-oidc-staff";
import { resumeStaffSession } from "./resume-staff-session";
import { newToken } from "./secrets";
import { startStaffSession } from "./start-staff-session";

const base = { provider: "oidc", subject: "sub-1", roleClaim: "console_role" };

describe("admitOidcStaff", () => {
  it("admits a new staff member whose claim names one console role", async () => {
    const result = await admitOidcStaff({
      ...base,
      email: "new.agent@northwind.example",
      claims: { console_role: "agent" },
    });
    expect(result).toEqual({ ok: true });
  });

  it.each([
    [
      "no role",
      { console_role: "viewer" },
      "new.one@northwind.example",
      'no console role in claim "console_role"',
    ],
    [
      "two roles",
      { console_role: ["SUPERVISOR", "SECURITY"] },
      "two@northwind.example",
      'several console roles in claim "console_role"',
    ],
    ["no email", { console_role: "AGENT" }, null, "the identity provider sent no email"],
  ])("refuses %s and audits it", async (_label, claims, email, detail) => {
    const before = await db.auditEvent.count();
    expect(await admitOidcStaff({ ...base, email, claims })).toEqual({ ok: false, detail });
    expect(await db.auditEvent.count()).toBe(before + 1);
    expect(await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } })).toMatchObject({
      action: "staff.sign_in_refused",
      outcome: "REFUSED",
      data: { method: "oidc", detail },
    });
  });

  it("refuses a disabled staff member", async () => {
    const staff = await createStaff(db, { active: false });
    expect(
      await admitOidcStaff({ ...base, email: staff.email, claims: { console_role: "AGENT" } }),
    ).toEqual({
      ok: false,
      detail: "staff member is disabled",
    });
  });

  it("applies a changed role claim and ends the staff member's sessions", async () => {
    const staff = await createStaff(db, { role: "SUPERVISOR" });
    const token = newToken();
    await startStaffSession({ staffId: staff.id, token, method: "oidc" });

    expect(
      await admitOidcStaff({ ...base, email: staff.email, claims: { console_role: "AGENT" } }),
    ).toEqual({ ok: true });

    expect((await db.staff.findUniqueOrThrow({ where: { id: staff.id } })).role).toBe("AGENT");
    expect(await resumeStaffSession(token)).toBeNull();
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { action: "staff.role_changed", targetId: staff.id },
      }),
    ).toMatchObject({
      data: { from: "SUPERVISOR", to: "AGENT" },
    });
  });
});

describe("admitOidcStaff and teams", () => {
  it("applies a changed team claim and ends the staff member's sessions, so no one keeps another team's cases", async () => {
    const staff = await createStaff(db, { role: "AGENT", team: "Service Desk North" });
    const token = newToken();
    await startStaffSession({ staffId: staff.id, token, method: "oidc" });

    expect(
      await admitOidcStaff({
        ...base,
        email: staff.email,
        claims: { console_role: "AGENT", console_team: "Service Desk South" },
        teamClaim: "console_team",
      }),
    ).toEqual({ ok: true });

    expect((await db.staff.findUniqueOrThrow({ where: { id: staff.id } })).team).toBe(
      "Service Desk South",
    );
    expect(await resumeStaffSession(token)).toBeNull();
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { action: "staff.team_changed", targetId: staff.id },
      }),
    ).toMatchObject({
      data: { from: "Service Desk North", to: "Service Desk South" },
    });
  });

  it("admits an agent whose provider sends no team, with no team (the console then refuses case work, saying why)", async () => {
    const staff = await createStaff(db, { role: "AGENT", team: "Service Desk North" });
    expect(
      await admitOidcStaff({
        ...base,
        email: staff.email,
        claims: { console_role: "AGENT" },
        teamClaim: "console_team",
      }),
    ).toEqual({ ok: true });
    expect((await db.staff.findUniqueOrThrow({ where: { id: staff.id } })).team).toBeNull();
  });
});

describe("provisionOidcStaff", () => {
  it("takes the team from the claim for agents and supervisors, never for security reviewers", async () => {
    const agent = await provisionOidcStaff({
      email: "team.agent@northwind.example",
      name: "Team Agent",
      role: "AGENT",
      team: "Service Desk South",
      provider: "oidc",
    });
    const reviewer = await provisionOidcStaff({
      email: "team.reviewer@northwind.example",
      name: "Team Reviewer",
      role: "SECURITY",
      team: "Service Desk South",
      provider: "oidc",
    });
    expect(agent.team).toBe("Service Desk South");
    expect(reviewer.team).toBeNull();
  });

  it("creates the staff member with an audit row in the same transaction", async () => {
    const staff = await provisionOidcStaff({
      email: "Fresh.Face@Northwind.example",
      name: "Fresh Face",
      role: "AGENT",
      provider: "oidc",
    });
    expect(staff).toMatchObject({
      email: "fresh.face@northwind.example",
      role: "AGENT",
      active: true,
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { action: "staff.provisioned", targetId: staff.id },
      }),
    ).toMatchObject({
      outcome: "ALLOWED",
      data: { role: "AGENT", provider: "oidc" },
    });
  });
});
