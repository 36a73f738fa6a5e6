import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { scimFilterToWhere } from "./filter";
import { applyPatch, parsePatch } from "./patch";
import {
  CONSOLE_USER,
  ENTERPRISE_USER,
  ifMatchHolds,
  PATCH_OP,
  ScimError,
  userEtag,
} from "./schemas";
import { normalizeDocument, parseUser, toScimUser, type StoredUser } from "./user";

const MANAGER = "3f1c2a5e-8d6b-4b0a-9c1e-2f3a4b5c6d7e";
const stored: StoredUser = {
  id: "0d6a1c7e-1111-4222-8333-444455556666",
  employeeId: "E1001",
  name: "Ada Lovelace",
  title: "Analyst",
  department: "Finance",
  managerId: MANAGER,
  phoneOfRecord: "+44 20 7946 0100",
  riskTier: "STANDARD",
  status: "ACTIVE",
  leavingOn: null,
  scimUserName: "ada@contoso.example",
  scimExternalId: "ext-1",
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-02-01T00:00:00Z"),
  emails: [{ address: "ada@contoso.example", kind: "work", isPrimary: true }],
};

function patched(operations: unknown[]) {
  const doc = normalizeDocument(toScimUser(stored, "https://console.example/scim/v2"));
  return parseUser(applyPatch(doc, parsePatch({ schemas: [PATCH_OP], Operations: operations })));
}

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("PATCH as Entra and Okta send it", () => {
  it.each([
    ['Entra: Replace active "False"', [{ op: "Replace", path: "active", value: "False" }], false],
    ['Entra: Replace active "True"', [{ op: "Replace", path: "active", value: "True" }], true],
    ["Okta: replace without path", [{ op: "replace", value: { active: false } }], false],
    ["RFC: boolean", [{ op: "replace", path: "active", value: false }], false],
    [
      "Entra: path-less value with a URN key",
      [{ op: "Replace", value: { active: "false" } }],
      false,
    ],
  ])("%s", (_, ops, active) => {
    expect(patched(ops).active).toBe(active);
  });

  it("replaces a filtered multi-valued value, and adds one that matched nothing", () => {
    const user = patched([
      { op: "Replace", path: 'emails[type eq "work"].value', value: "new@contoso.example" },
      { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+44 7700 900123" },
    ]);
    expect(user.emails).toEqual([
      { address: "new@contoso.example", kind: "work", isPrimary: true },
    ]);
    // The work number stays the phone of record.
    expect(user.phone).toBe("+44 20 7946 0100");
  });

  it("reads Entra's manager as a bare id and Okta's as an object, by URN path or nested value", () => {
    const other = "9b2f0c1d-0000-4000-8000-000000000001";
    expect(
      patched([{ op: "Add", path: `${ENTERPRISE_USER}:manager`, value: other }]).managerId,
    ).toBe(other);
    expect(
      patched([{ op: "replace", value: { [ENTERPRISE_USER]: { manager: { value: other } } } }])
        .managerId,
    ).toBe(other);
    expect(patched([{ op: "Remove", path: `${ENTERPRISE_USER}:manager` }]).managerId).toBeNull();
    expect(
      patched([{ op: "replace", path: `${ENTERPRISE_USER}:department`, value: "Legal" }])
        .department,
    ).toBe("Legal");
    expect(
      patched([{ op: "add", path: `${CONSOLE_USER}:riskTier`, value: "PRIVILEGED" }]).riskTier,
    ).toBe("PRIVILEGED");
  });

  it.each([
    [
      "an unknown attribute",
      [{ op: "replace", path: "favouriteColour", value: "x" }],
      "invalidPath",
    ],
    ["an unknown op", [{ op: "move", path: "title", value: "x" }], "invalidSyntax"],
    [
      "a malformed path filter",
      [{ op: "replace", path: 'emails[type eq "work].value', value: "x" }],
      "invalidFilter",
    ],
    ["a remove without a path", [{ op: "remove" }], "noTarget"],
    ["a bad boolean", [{ op: "replace", path: "active", value: "maybe" }], "invalidValue"],
    [
      "a bad tier",
      [{ op: "replace", path: `${CONSOLE_USER}:riskTier`, value: "GOD" }],
      "invalidValue",
    ],
  ])("refuses %s", (_, ops, scimType) => {
    expect(scimError(() => patched(ops)).scimType).toBe(scimType);
  });
});

describe("a user body", () => {
  it("keeps what the console stores, drops known attributes it does not, refuses unknown ones", () => {
    const user = parseUser(
      normalizeDocument({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        UserName: "Jane@Example.com",
        name: { givenName: "Jane", familyName: "Doe" },
        emails: [{ value: "JANE@example.com", type: "work", primary: "true" }],
        password: "dropped",
        locale: "en-US",
        [ENTERPRISE_USER]: { EmployeeNumber: "E42" },
      }),
    );
    expect(user).toMatchObject({
      userName: "Jane@Example.com",
      name: "Jane Doe",
      employeeNumber: "E42",
      // Not sent: the person's state stays as it is (a new person starts active).
      active: null,
    });
    expect(user.emails).toEqual([{ address: "jane@example.com", kind: "work", isPrimary: true }]);
    expect(scimError(() => normalizeDocument({ userName: "x", shoeSize: 9 })).scimType).toBe(
      "invalidSyntax",
    );
    expect(
      scimError(() =>
        parseUser(
          normalizeDocument({ userName: "x", [ENTERPRISE_USER]: { manager: "not-an-id" } }),
        ),
      ).scimType,
    ).toBe("invalidValue");
  });

  it("round-trips: the SCIM form of a user parses back to the same facts", () => {
    const user = parseUser(normalizeDocument(toScimUser(stored, "https://c.example/scim/v2")));
    expect(user).toMatchObject({
      userName: stored.scimUserName,
      name: stored.name,
      phone: stored.phoneOfRecord,
      managerId: MANAGER,
      department: "Finance",
      active: true,
    });
  });
});

describe("filters", () => {
  it.each([
    ['userName eq "a@b.c"', { scimUserName: { equals: "a@b.c", mode: "insensitive" } }],
    ['externalId eq "x"', { scimExternalId: { equals: "x", mode: "insensitive" } }],
    [
      'emails.value co "contoso"',
      { emails: { some: { address: { contains: "contoso", mode: "insensitive" } } } },
    ],
    [
      `${ENTERPRISE_USER}:employeeNumber sw "E1"`,
      { employeeId: { startsWith: "E1", mode: "insensitive" } },
    ],
    ["active eq false", { status: { in: ["LEFT", "SUSPENDED"] } }],
    [
      'userName sw "a" and active eq true',
      {
        AND: [
          { scimUserName: { startsWith: "a", mode: "insensitive" } },
          { status: { in: ["ACTIVE", "LEAVING"] } },
        ],
      },
    ],
    [
      'displayName eq "A" or displayName eq "B"',
      {
        OR: [
          { name: { equals: "A", mode: "insensitive" } },
          { name: { equals: "B", mode: "insensitive" } },
        ],
      },
    ],
  ])("%s", (filter, where) => {
    expect(scimFilterToWhere(filter)).toEqual(where);
  });

  it.each([
    'userName eq "x',
    "userName eq",
    'title eq "x"',
    'not (userName eq "x")',
    'userName gt "a"',
    'emails[type eq "work"]',
    'active eq "yes"',
  ])("refuses %s as invalidFilter", (filter) => {
    expect(scimError(() => scimFilterToWhere(filter)).scimType).toBe("invalidFilter");
  });

  it("never throws anything but a SCIM error, whatever the filter", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (filter) => {
        try {
          scimFilterToWhere(filter);
        } catch (error) {
          expect(error).toBeInstanceOf(ScimError);
        }
      }),
    );
  });
});

describe("ETags", () => {
  it("compares weakly, and * or no header passes", () => {
    const tag = userEtag(new Date(5));
    expect(tag).toBe('W/"5"');
    expect(ifMatchHolds(null, tag)).toBe(true);
    expect(ifMatchHolds("*", tag)).toBe(true);
    expect(ifMatchHolds('"5"', tag)).toBe(true);
    expect(ifMatchHolds('W/"4", W/"5"', tag)).toBe(true);
    expect(ifMatchHolds('W/"4"', tag)).toBe(false);
  });
});
