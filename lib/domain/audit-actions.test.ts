import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, parseAuditPayload } from "./audit-actions";

describe("audit actions", () => {
  it("is a closed list of dotted names", () => {
    for (const action of Object.keys(AUDIT_ACTIONS)) expect(action).toMatch(/^[a-z]+\.[a-z_]+$/);
  });

  it("parses a payload of the right shape", () => {
    expect(parseAuditPayload("staff.signed_in", { method: "demo" })).toEqual({ method: "demo" });
  });

  it("refuses extra fields, so nothing unexpected (a secret, say) slips into the trail", () => {
    expect(() =>
      parseAuditPayload("staff.signed_in", { method: "demo", token: "abc" } as never),
    ).toThrow();
    expect(() => parseAuditPayload("staff.signed_out", { sessionToken: "abc" } as never)).toThrow();
  });

  it("refuses a payload of the wrong shape", () => {
    expect(() => parseAuditPayload("staff.signed_in", { method: "password" } as never)).toThrow();
    expect(() =>
      parseAuditPayload("access.denied", { permission: "audit:read" } as never),
    ).toThrow();
  });
});
