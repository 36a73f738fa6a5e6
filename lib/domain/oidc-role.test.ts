import { describe, expect, it } from "vitest";
import { roleFromClaims } from "./oidc-role";

describe("roleFromClaims", () => {
  it.each([
    [{ console_role: "AGENT" }, { ok: true, role: "AGENT" }],
    [{ console_role: "supervisor" }, { ok: true, role: "SUPERVISOR" }],
    [{ console_role: ["Security"] }, { ok: true, role: "SECURITY" }],
    [{ console_role: ["AGENT", "agent", "unrelated"] }, { ok: true, role: "AGENT" }],
    [{ console_role: ["AGENT", "SUPERVISOR"] }, { ok: false, detail: 'several console roles in claim "console_role"' }],
    [{ console_role: "ADMIN" }, { ok: false, detail: 'no console role in claim "console_role"' }],
    [{ roles: "AGENT" }, { ok: false, detail: 'no console role in claim "console_role"' }],
    [{ console_role: 7 }, { ok: false, detail: 'no console role in claim "console_role"' }],
    [{}, { ok: false, detail: 'no console role in claim "console_role"' }],
  ])("%j", (claims, expected) => {
    expect(roleFromClaims(claims, "console_role")).toEqual(expected);
  });
});
