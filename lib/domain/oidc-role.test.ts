import { describe, expect, it } from "vitest";
import { roleFromClaims, teamFromClaims } from "./oidc-role";

describe("roleFromClaims", () => {
  it.each([
    [{ console_role: "AGENT" }, { ok: true, role: "AGENT" }],
    [{ console_role: "supervisor" }, { ok: true, role: "SUPERVISOR" }],
    [{ console_role: ["Security"] }, { ok: true, role: "SECURITY" }],
    [{ console_role: ["AGENT", "agent", "unrelated"] }, { ok: true, role: "AGENT" }],
    [
      { console_role: ["AGENT", "SUPERVISOR"] },
      { ok: false, detail: 'several console roles in claim "console_role"' },
    ],
    [{ console_role: "ADMIN" }, { ok: false, detail: 'no console role in claim "console_role"' }],
    [{ roles: "AGENT" }, { ok: false, detail: 'no console role in claim "console_role"' }],
    [{ console_role: 7 }, { ok: false, detail: 'no console role in claim "console_role"' }],
    [{}, { ok: false, detail: 'no console role in claim "console_role"' }],
  ])("%j", (claims, expected) => {
    expect(roleFromClaims(claims, "console_role")).toEqual(expected);
  });
});

describe("teamFromClaims", () => {
  it.each([
    [{ console_team: "Service Desk North" }, "Service Desk North"],
    [{ console_team: ["  Service Desk South "] }, "Service Desk South"],
    [{ console_team: ["North", "South"] }, null],
    [{ console_team: "" }, null],
    [{ console_team: 42 }, null],
    [{ console_team: "x".repeat(101) }, null],
    [{ console_team: "North\u0000" }, null],
    [{}, null],
  ] as const)("%j → %s", (claims, team) => {
    expect(teamFromClaims(claims, "console_team")).toBe(team);
  });
});
