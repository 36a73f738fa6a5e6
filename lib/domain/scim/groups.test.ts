import { describe, expect, it } from "vitest";
import { groupsMatching, membershipChanges, tierOfGroup } from "./groups";
import { PATCH_OP, ScimError } from "./schemas";
import { parsePatch } from "./patch";

const A = "0d6a1c7e-1111-4222-8333-444455556666";
const B = "9b2f0c1d-0000-4000-8000-000000000001";
const ops = (operations: unknown[]) => parsePatch({ schemas: [PATCH_OP], Operations: operations });

describe("groups as risk tiers", () => {
  it("finds a tier's group by displayName or id, and nothing else", () => {
    expect(groupsMatching('displayName eq "Privileged"')).toEqual(["PRIVILEGED"]);
    expect(groupsMatching('displayName sw "high"')).toEqual(["HIGH_RISK"]);
    expect(groupsMatching('id eq "CONTRACTOR"')).toEqual(["CONTRACTOR"]);
    expect(groupsMatching('displayName eq "Admins"')).toEqual([]);
    expect(groupsMatching(null)).toHaveLength(5);
    expect(() => groupsMatching('members eq "x"')).toThrow(ScimError);
    expect(() => groupsMatching('displayName eq "x')).toThrow(ScimError);
    expect(tierOfGroup("PRIVILEGED")).toBe("PRIVILEGED");
    expect(tierOfGroup("privileged")).toBeNull();
  });

  it.each([
    [
      "Entra: Add members",
      [{ op: "Add", path: "members", value: [{ value: A }] }],
      { add: [A], remove: [], replace: null },
    ],
    [
      "Entra: Remove members with a value",
      [{ op: "Remove", path: "members", value: [{ value: A }, { value: B }] }],
      { add: [], remove: [A, B], replace: null },
    ],
    [
      "Okta: remove with a filtered path",
      [{ op: "remove", path: `members[value eq "${A}"]` }],
      { add: [], remove: [A], replace: null },
    ],
    [
      "Okta: replace all members, its displayName unchanged",
      [
        {
          op: "replace",
          value: { id: "PRIVILEGED", displayName: "Privileged", members: [{ value: B }] },
        },
      ],
      { add: [], remove: [], replace: [B] },
    ],
  ])("%s", (_, operations, change) => {
    expect(membershipChanges("PRIVILEGED", ops(operations))).toEqual(change);
  });

  it.each([
    ["a rename", [{ op: "replace", path: "displayName", value: "Admins" }], "mutability"],
    [
      "a member that is not an id",
      [{ op: "add", path: "members", value: [{ value: "bob" }] }],
      "invalidValue",
    ],
    ["another attribute", [{ op: "add", path: "owner", value: "x" }], "invalidPath"],
  ])("refuses %s", (_, operations, scimType) => {
    try {
      membershipChanges("PRIVILEGED", ops(operations));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect((error as ScimError).scimType).toBe(scimType);
    }
  });
});
