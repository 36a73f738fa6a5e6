import { describe, expect, it } from "vitest";
import {
  can,
  isStaffRole,
  PERMISSIONS,
  STAFF_ROLES,
  type Permission,
  type StaffRole,
} from "./roles";

// The whole matrix, written out: a change to who may do what must change this table.
const MATRIX: Record<Permission, Record<StaffRole, boolean>> = {
  "users:read": { AGENT: true, SUPERVISOR: true, SECURITY: true },
  "cases:read": { AGENT: true, SUPERVISOR: true, SECURITY: true },
  "cases:work": { AGENT: true, SUPERVISOR: true, SECURITY: false },
  "passkeys:revoke": { AGENT: true, SUPERVISOR: true, SECURITY: true },
  "approvals:decide": { AGENT: false, SUPERVISOR: true, SECURITY: false },
  "access:suspend": { AGENT: false, SUPERVISOR: true, SECURITY: true },
  "audit:read": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "ssf:manage": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "reports:read": { AGENT: false, SUPERVISOR: true, SECURITY: true },
  "practice:play": { AGENT: true, SUPERVISOR: true, SECURITY: true },
  "practice:readiness": { AGENT: false, SUPERVISOR: true, SECURITY: true },
  "scenarios:write": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "signals:review": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "webhooks:manage": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "scim:manage": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "rollout:manage": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "policy:read": { AGENT: false, SUPERVISOR: true, SECURITY: true },
  // Security keys and break-glass accounts (docs/decisions/039).
  "keys:read": { AGENT: true, SUPERVISOR: true, SECURITY: true },
  "keys:issue": { AGENT: true, SUPERVISOR: true, SECURITY: false },
  "keys:return": { AGENT: true, SUPERVISOR: true, SECURITY: true },
  "keys:stock": { AGENT: false, SUPERVISOR: false, SECURITY: true },
  "breakglass:manage": { AGENT: false, SUPERVISOR: false, SECURITY: true },
};

describe("can", () => {
  it("covers every permission", () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  for (const [permission, row] of Object.entries(MATRIX)) {
    for (const role of STAFF_ROLES) {
      it(`${role} ${row[role] ? "may" : "may not"} ${permission}`, () => {
        expect(can(role, permission as Permission)).toBe(row[role]);
      });
    }
  }

  it("keeps approving and auditing in different hands", () => {
    for (const role of STAFF_ROLES) {
      expect(can(role, "approvals:decide") && can(role, "audit:read")).toBe(false);
    }
  });
});

describe("isStaffRole", () => {
  it.each([
    ["AGENT", true],
    ["SECURITY", true],
    ["agent", false],
    ["ADMIN", false],
    [undefined, false],
    [42, false],
  ])("%s → %s", (value, expected) => {
    expect(isStaffRole(value)).toBe(expected);
  });
});
