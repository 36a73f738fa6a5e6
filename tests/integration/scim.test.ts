/**
 * The SCIM service provider end to end on real PostgreSQL (docs/decisions/033): the request
 * sequences Entra ID and Okta provisioning send, replayed against the route handlers; the leaver
 * stop; the mover's effects; and bad input, each a SCIM error with nothing written.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as UsersRoute from "@/app/scim/v2/Users/route";
import * as UserRoute from "@/app/scim/v2/Users/[id]/route";
import * as GroupsRoute from "@/app/scim/v2/Groups/route";
import * as GroupRoute from "@/app/scim/v2/Groups/[id]/route";
import { GET as getConfig } from "@/app/scim/v2/ServiceProviderConfig/route";
import { GET as getResourceTypes } from "@/app/scim/v2/ResourceTypes/route";
import { GET as getSchemas } from "@/app/scim/v2/Schemas/route";
import { DomainError } from "@/lib/domain/errors";
import { getWorkforceUser } from "@/lib/server/get-workforce-user";
import { issueTap } from "@/lib/server/issue-tap";
import { issueScimToken, revokeScimToken, rotateScimToken } from "@/lib/server/scim/tokens";
import { sweepEndedEmployment } from "@/lib/server/scim/users";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, redeemedPassSession, verifiedStandardCase } from "@/tests/recovery";

const BASE = "http://localhost:3000/scim/v2";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async function newToken(scopes: ("users:read" | "users:write")[] = ["users:read", "users:write"]) {
  const reviewer = await actor("SECURITY");
  const { token, id } = await issueScimToken({ staff: reviewer, name: "Test IdP", scopes });
  return { token, id, reviewer };
}

type Call = {
  token?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
};

function request(method: string, path: string, call: Call) {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const body = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (body !== undefined) headers["content-type"] ??= "application/scim+json";
  return new Request(`${BASE}${path}`, { method, headers, body });
}

async function scim(method: string, path: string, call: Call = {}) {
  const [pathname] = path.split("?");
  const id = /^\/Users\/([^/]+)$/.exec(pathname!)?.[1];
  const req = request(method, path, call);
  const groupId = /^\/Groups\/([^/]+)$/.exec(pathname!)?.[1];
  let response: Response;
  if (groupId) {
    const handler = GroupRoute[method as "GET" | "PATCH"];
    response = await handler(req, { params: Promise.resolve({ id: groupId }) });
  } else if (pathname === "/Groups") {
    response = await GroupsRoute[method as "GET" | "POST"](req);
  } else if (id) {
    const handler = UserRoute[method as "GET" | "PUT" | "PATCH" | "DELETE"];
    response = await handler(req, { params: Promise.resolve({ id: decodeURIComponent(id) }) });
  } else if (pathname === "/Users") {
    response = await UsersRoute[method as "GET" | "POST"](req);
  } else if (pathname === "/ServiceProviderConfig") response = await getConfig(req);
  else if (pathname === "/ResourceTypes") response = await getResourceTypes(req);
  else response = await getSchemas(req);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json: (text ? JSON.parse(text) : null) as any,
  };
}

function tag() {
  return Math.random().toString(36).slice(2, 10);
}

async function snapshot() {
  return {
    users: await db.workforceUser.count(),
    emails: await db.workforceEmail.count(),
    changes: await db.workforceRecordChange.count(),
    updated: (await db.workforceUser.aggregate({ _max: { updatedAt: true } }))._max.updatedAt,
    revoked: await db.passkey.count({ where: { status: "REVOKED" } }),
  };
}

describe("Entra ID's provisioning sequence", () => {
  it("creates with the enterprise extension, finds by userName, patches Entra's shapes, disables, deletes", async () => {
    const { token } = await newToken();
    const manager = await createWorkforceUser(db, { passkeys: 0 });
    const t = tag();
    const userName = `Test_User_${t}@contoso.example`;

    const none = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
      { token },
    );
    expect(none.status).toBe(200);
    expect(none.json).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim("POST", "/Users", {
      token,
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        externalId: `0a21f0f2-${t}`,
        userName,
        active: true,
        emails: [{ primary: true, type: "work", value: `work_${t}@contoso.example` }],
        meta: { resourceType: "User" },
        name: { formatted: "Ada Lovelace", familyName: "Lovelace", givenName: "Ada" },
        phoneNumbers: [{ type: "work", value: "+44 20 7946 0100" }],
        roles: [],
        title: "Analyst",
        [ENTERPRISE]: {
          employeeNumber: `X${t}`,
          department: "Finance",
          manager: { value: manager.id },
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/scim+json");
    expect(created.headers.get("etag")).toMatch(/^W\/"\d+"$/);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({
      userName,
      active: true,
      displayName: "Ada Lovelace",
      [ENTERPRISE]: {
        employeeNumber: `X${t}`,
        department: "Finance",
        manager: { value: manager.id },
      },
    });
    const row = await db.workforceUser.findUniqueOrThrow({
      where: { id },
      include: { emails: true, passkeys: true },
    });
    expect(row).toMatchObject({
      status: "ACTIVE",
      department: "Finance",
      managerId: manager.id,
      riskTier: "STANDARD",
    });
    expect(row.passkeys).toHaveLength(0);
    expect(row.webauthnUserId.length).toBe(32);
    expect(row.emails).toMatchObject([{ address: `work_${t}@contoso.example`, verified: true }]);

    const found = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`,
      { token },
    );
    expect(found.json).toMatchObject({ totalResults: 1, Resources: [{ id }] });

    // Entra: capitalised ops, a filtered path, a manager as a bare string.
    const newManager = await createWorkforceUser(db, { passkeys: 0 });
    const patched = await scim("PATCH", `/Users/${id}`, {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "Replace",
            path: 'emails[type eq "work"].value',
            value: `moved_${t}@contoso.example`,
          },
          { op: "Replace", path: 'phoneNumbers[type eq "work"].value', value: "+44 20 7946 0200" },
          { op: "Add", path: `${ENTERPRISE}:manager`, value: newManager.id },
          { op: "Replace", path: `${ENTERPRISE}:department`, value: "Treasury" },
        ],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      emails: [{ value: `moved_${t}@contoso.example` }],
      phoneNumbers: [{ value: "+44 20 7946 0200" }],
      [ENTERPRISE]: { department: "Treasury", manager: { value: newManager.id } },
    });
    const changes = await db.workforceRecordChange.findMany({ where: { userId: id } });
    expect(changes.map((c) => c.field).sort()).toEqual(["EMAIL", "MANAGER", "PHONE"]);
    expect(changes.every((c) => c.source === "scim")).toBe(true);

    // Entra finds the tier's group by name, then adds and removes the member.
    const group = await scim(
      "GET",
      `/Groups?filter=${encodeURIComponent('displayName eq "Privileged"')}&excludedAttributes=members`,
      { token },
    );
    expect(group.json).toMatchObject({ totalResults: 1, Resources: [{ id: "PRIVILEGED" }] });
    const added = await scim("PATCH", "/Groups/PRIVILEGED", {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: "Add", path: "members", value: [{ value: id }] }],
      },
    });
    expect(added.status).toBe(204);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id } })).riskTier).toBe(
      "PRIVILEGED",
    );
    const members = await scim("GET", "/Groups/PRIVILEGED", { token });
    expect(members.json.members).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: id })]),
    );
    const removed = await scim("PATCH", "/Groups/PRIVILEGED", {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: "Remove", path: "members", value: [{ value: id }] }],
      },
    });
    expect(removed.status).toBe(204);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id } })).riskTier).toBe("STANDARD");

    // Entra disables with a string boolean: "False" must not stay truthy.
    const disabled = await scim("PATCH", `/Users/${id}`, {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: "Replace", path: "active", value: "False" }],
      },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json.active).toBe(false);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id } })).status).toBe("LEFT");

    const deleted = await scim("DELETE", `/Users/${id}`, { token });
    expect(deleted.status).toBe(204);
    // The row stays (cases are never deleted); the person is a leaver.
    expect(await db.workforceUser.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "LEFT",
    });
    const audit = await db.auditEvent.findMany({
      where: { subjectUserId: id },
      orderBy: { position: "asc" },
      select: { action: true, actorType: true, actorName: true },
    });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "scim.user_created",
        "scim.user_changed",
        "passkey.revoked",
        "workforce.status_changed",
      ]),
    );
    expect(
      audit.every(
        (a) => a.actorType === "SYSTEM" && a.actorName.startsWith("SCIM client Test IdP"),
      ),
    ).toBe(true);
  });
});

describe("Okta's provisioning sequence", () => {
  it("creates (password and groups dropped), reads, replaces with PUT, deactivates and reactivates without old passkeys", async () => {
    const { token } = await newToken();
    const t = tag();
    const userName = `jane.${t}@example.com`;
    const list = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
      { token },
    );
    expect(list.json.totalResults).toBe(0);

    const created = await scim("POST", "/Users", {
      token,
      headers: { "content-type": "application/scim+json; charset=utf-8" },
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName,
        name: { givenName: "Jane", familyName: "Doe" },
        emails: [{ primary: true, value: userName, type: "work" }],
        displayName: "Jane Doe",
        locale: "en-US",
        externalId: `00u${t}`,
        groups: [],
        password: "1mz050nq",
        active: true,
      },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json).not.toHaveProperty("password");

    const read = await scim("GET", `/Users/${id}`, { token });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id, userName, displayName: "Jane Doe" });

    const put = await scim("PUT", `/Users/${id}`, {
      token,
      headers: { "if-match": read.headers.get("etag")! },
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        id,
        userName,
        name: { givenName: "Jane", familyName: "Smith" },
        displayName: "Jane Smith",
        emails: [{ primary: true, value: userName, type: "work" }],
        active: true,
        groups: [],
        meta: { resourceType: "User" },
      },
    });
    expect(put.status).toBe(200);
    expect(put.json.displayName).toBe("Jane Smith");

    // Okta's group push: add to a tier's group, then remove with a filtered path.
    expect(
      (
        await scim("PATCH", "/Groups/HIGH_RISK", {
          token,
          body: {
            schemas: [PATCH_OP],
            Operations: [{ op: "add", path: "members", value: [{ value: id, display: userName }] }],
          },
        })
      ).status,
    ).toBe(204);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id } })).riskTier).toBe(
      "HIGH_RISK",
    );
    expect(
      (
        await scim("PATCH", "/Groups/HIGH_RISK", {
          token,
          body: {
            schemas: [PATCH_OP],
            Operations: [{ op: "remove", path: `members[value eq "${id}"]` }],
          },
        })
      ).status,
    ).toBe(204);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id } })).riskTier).toBe("STANDARD");

    // Give the person a passkey, as an enrolment would, then Okta deactivates.
    await db.passkey.create({
      data: {
        userId: id,
        credentialId: `c-${t}`,
        publicKey: Buffer.from("k"),
        aaguid: "0",
        backedUp: false,
      },
    });
    const off = await scim("PATCH", `/Users/${id}`, {
      token,
      body: { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] },
    });
    expect(off.json.active).toBe(false);
    expect(await db.passkey.count({ where: { userId: id, status: "ACTIVE" } })).toBe(0);

    const on = await scim("PATCH", `/Users/${id}`, {
      token,
      body: { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: true } }] },
    });
    expect(on.json.active).toBe(true);
    // A returner is a new enrolment: the old passkey stays revoked.
    expect(await db.workforceUser.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "ACTIVE",
    });
    expect(await db.passkey.findFirstOrThrow({ where: { userId: id } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "LEAVER",
    });
  });

  it("pages with startIndex and count, and filters with co, sw and and/or", async () => {
    const { token } = await newToken();
    const t = tag();
    for (const n of ["alpha", "beta", "gamma"])
      expect(
        (
          await scim("POST", "/Users", {
            token,
            body: {
              userName: `${n}.${t}@page.example`,
              displayName: n,
              emails: [{ value: `${n}.${t}@page.example` }],
            },
          })
        ).status,
      ).toBe(201);
    const filter = encodeURIComponent(
      `userName co "${t}" and (userName sw "alpha" or userName sw "gamma")`,
    );
    const both = await scim("GET", `/Users?filter=${filter}`, { token });
    expect(both.json.totalResults).toBe(2);
    const page = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`emails.value ew "${t}@page.example"`)}&startIndex=2&count=1`,
      { token },
    );
    expect(page.json).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
  });
});

describe("a PUT without phone numbers", () => {
  it("keeps the phone of record and records no phone change (many IdPs map no phone)", async () => {
    const { token } = await newToken();
    const userName = `kept.${tag()}@northwind.example`;
    const created = await scim("POST", "/Users", {
      token,
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName,
        emails: [{ primary: true, value: userName, type: "work" }],
        phoneNumbers: [{ type: "work", value: "+44 20 7946 0555" }],
        active: true,
      },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const before = await db.workforceUser.findUniqueOrThrow({ where: { id } });
    const put = await scim("PUT", `/Users/${id}`, {
      token,
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName,
        displayName: "Renamed",
        emails: [{ primary: true, value: userName, type: "work" }],
        active: true,
      },
    });
    expect(put.status).toBe(200);
    const after = await db.workforceUser.findUniqueOrThrow({ where: { id } });
    expect(after.phoneOfRecord).toBe(before.phoneOfRecord);
    expect(after.phoneOfRecord).not.toBe("");
    expect(await db.workforceRecordChange.count({ where: { userId: id, field: "PHONE" } })).toBe(0);
  });
});

describe("the leaver stop", () => {
  it("active=false revokes every passkey, ends sessions, voids the pass, links and approvals, and closes the case, in one transaction", async () => {
    const { token } = await newToken();
    const { agent, user, caseId } = await redeemedPassSession();
    await db.approval.create({
      data: { caseId, requestedById: agent.id, snapshot: {}, snapshotHash: "h" },
    });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBeGreaterThan(0);

    const res = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: "Replace", path: "active", value: "False" }],
      },
    });
    expect(res.status).toBe(200);

    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.temporaryAccessPass.count({
        where: { userId: user.id, usedAt: null, voidedAt: null },
      }),
    ).toBe(0);
    expect(
      await db.enrolmentLink.count({ where: { userId: user.id, usedAt: null, voidedAt: null } }),
    ).toBe(0);
    expect(await db.approval.count({ where: { caseId, status: "PENDING" } })).toBe(0);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "CLOSED",
    );
    const [revoked, status] = await Promise.all([
      db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      }),
      db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "workforce.status_changed" },
      }),
    ]);
    // One transaction: the two rows are adjacent in the chain and carry the same transaction's actor.
    expect(Math.abs(Number(status.position) - Number(revoked.position))).toBe(1);
    expect(revoked.data).toMatchObject({ scope: "ALL", reason: "LEAVER" });
    expect(status.data).toMatchObject({ to: "LEFT", closedCases: 1 });
  });

  it("an agent issuing a pass while SCIM deactivates: the pass is refused or voided", async () => {
    const { token } = await newToken();
    const { agent, user, caseId } = await verifiedStandardCase();
    const [issued, deactivated] = await Promise.allSettled([
      issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }),
      scim("PATCH", `/Users/${user.id}`, {
        token,
        body: {
          schemas: [PATCH_OP],
          Operations: [{ op: "replace", path: "active", value: false }],
        },
      }),
    ]);
    expect(deactivated).toMatchObject({ status: "fulfilled", value: { status: 200 } });
    if (issued.status === "rejected") expect(issued.reason).toBeInstanceOf(DomainError);
    expect(
      await db.temporaryAccessPass.count({
        where: { userId: user.id, usedAt: null, voidedAt: null },
      }),
    ).toBe(0);
    if (issued.status === "fulfilled")
      expect(
        await db.temporaryAccessPass.count({ where: { userId: user.id, voidedAt: { not: null } } }),
      ).toBe(1);
  });

  it("an employment end date that has passed makes a leaver at the sweep", async () => {
    const { token } = await newToken();
    const user = await createWorkforceUser(db);
    const res = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "add",
            path: "urn:passkey-recovery-console:scim:schemas:extension:2.0:User:employmentEndDate",
            value: "2099-01-31",
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      status: "LEAVING",
    });
    const later = new Date("2099-02-02T09:00:00Z");
    expect((await sweepEndedEmployment(later)).swept).toBeGreaterThanOrEqual(1);
    // Claimed once: a second pass finds nobody left to stop.
    expect(await sweepEndedEmployment(later)).toEqual({ swept: 0, failed: [] });
    expect(await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      status: "LEFT",
    });
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
  });
});

describe("the mover", () => {
  it("a change of department lapses the person's pending approval as stale", async () => {
    const { token } = await newToken();
    const { agent, user, caseId } = await verifiedStandardCase();
    await db.recoveryCase.update({ where: { id: caseId }, data: { status: "PENDING_APPROVAL" } });
    await db.approval.create({
      data: { caseId, requestedById: agent.id, snapshot: {}, snapshotHash: "h" },
    });
    const res = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", path: `${ENTERPRISE}:department`, value: "Legal" }],
      },
    });
    expect(res.status).toBe(200);
    expect(await db.approval.findFirstOrThrow({ where: { caseId } })).toMatchObject({
      status: "VOIDED",
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "VERIFIED",
    );
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "approval.lapsed" } }),
    ).toMatchObject({ data: { why: "stale" } });
    // The user page's recent events say what changed and what lapsed.
    const page = await getWorkforceUser(user.id);
    expect(page?.recentEvents.find((e) => e.action === "scim.user_changed")?.detail).toBe(
      "department, userName; 1 pending approval lapsed",
    );
  });
});

describe("bad input is a SCIM error and writes nothing", () => {
  it.each([
    [
      "an unknown attribute",
      "POST",
      "/Users",
      { body: { userName: "x@example.com", favouriteColour: "blue" } },
      400,
      "invalidSyntax",
    ],
    [
      "a malformed filter",
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "x')}`,
      {},
      400,
      "invalidFilter",
    ],
    [
      "a filter on an attribute not allowed",
      "GET",
      `/Users?filter=${encodeURIComponent('title eq "x"')}`,
      {},
      400,
      "invalidFilter",
    ],
    [
      "an oversized body",
      "POST",
      "/Users",
      { raw: JSON.stringify({ userName: "a@example.com", title: "x".repeat(70_000) }) },
      413,
      undefined,
    ],
    ["a body that is not JSON", "POST", "/Users", { raw: "{nope" }, 400, "invalidSyntax"],
    [
      "a wrong content type",
      "POST",
      "/Users",
      { raw: "{}", headers: { "content-type": "text/plain" } },
      415,
      undefined,
    ],
    [
      "a bad value",
      "POST",
      "/Users",
      { body: { userName: "a@example.com", active: "maybe" } },
      400,
      "invalidValue",
    ],
    [
      "a missing userName",
      "POST",
      "/Users",
      { body: { displayName: "No Name" } },
      400,
      "invalidValue",
    ],
  ] as const)("%s", async (_, method, path, call, status, scimType) => {
    const { token } = await newToken();
    const before = await snapshot();
    const res = await scim(method, path, { token, ...call } as Call);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/scim+json");
    expect(res.json).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: String(status),
      ...(scimType ? { scimType } : {}),
    });
    expect(await snapshot()).toEqual(before);
  });

  it("a wrong, revoked, expired or under-scoped token is refused; known tokens' refusals are audited", async () => {
    const user = await createWorkforceUser(db);
    const disable = {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "active", value: false }],
    };
    const before = await snapshot();

    expect((await scim("PATCH", `/Users/${user.id}`, { body: disable })).status).toBe(401);
    expect(
      (
        await scim("PATCH", `/Users/${user.id}`, {
          token: "scim_00000000_wrong-token-value",
          body: disable,
        })
      ).status,
    ).toBe(401);

    const revoked = await newToken();
    await revokeScimToken({ staff: revoked.reviewer, id: revoked.id });
    const r = await scim("PATCH", `/Users/${user.id}`, { token: revoked.token, body: disable });
    expect(r.status).toBe(401);
    expect(r.json.detail).toMatch(/revoked/);

    const expired = await newToken();
    await db.scimToken.update({
      where: { id: expired.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(
      (await scim("PATCH", `/Users/${user.id}`, { token: expired.token, body: disable })).status,
    ).toBe(401);

    const readOnly = await newToken(["users:read"]);
    const w = await scim("PATCH", `/Users/${user.id}`, { token: readOnly.token, body: disable });
    expect(w.status).toBe(403);
    expect((await scim("GET", `/Users/${user.id}`, { token: readOnly.token })).status).toBe(200);

    expect(await snapshot()).toEqual(before);
    expect(
      await db.auditEvent.count({
        where: {
          action: "scim.request_refused",
          targetId: { in: [revoked.id, expired.id, readOnly.id] },
        },
      }),
    ).toBe(3);
    expect(
      await db.refusalTally.aggregate({
        where: { action: "scim.request_refused" },
        _sum: { count: true },
      }),
    ).toMatchObject({ _sum: { count: 2 } });
  });

  it("a stale If-Match is 412 and changes nothing; the current one passes", async () => {
    const { token } = await newToken();
    const user = await createWorkforceUser(db);
    const read = await scim("GET", `/Users/${user.id}`, { token });
    const etag = read.headers.get("etag")!;
    const body = {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "title", value: "Lead" }],
    };
    const stale = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body,
      headers: { "if-match": 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).title).toBe(
      user.title,
    );
    const fresh = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body,
      headers: { "if-match": etag },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("etag")).not.toBe(etag);
    const again = await scim("DELETE", `/Users/${user.id}`, {
      token,
      headers: { "if-match": etag },
    });
    expect(again.status).toBe(412);
  });

  it("an unknown id is 404; a taken userName or email is 409", async () => {
    const { token } = await newToken();
    expect(
      (await scim("GET", `/Users/00000000-0000-4000-8000-000000000000`, { token })).status,
    ).toBe(404);
    const body = { userName: `dup.${tag()}@example.com` };
    expect((await scim("POST", "/Users", { token, body })).status).toBe(201);
    const dup = await scim("POST", "/Users", { token, body });
    expect(dup.status).toBe(409);
    expect(dup.json.scimType).toBe("uniqueness");
    // Another person's email is a clash too, never moved to this person.
    const owner = await createWorkforceUser(db);
    const other = await createWorkforceUser(db);
    const taken = await scim("PATCH", `/Users/${other.id}`, {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "replace",
            path: "emails",
            value: [{ value: owner.emails[0]!.address, type: "work" }],
          },
        ],
      },
    });
    expect(taken.status).toBe(409);
    expect(
      await db.workforceEmail.findUniqueOrThrow({ where: { address: owner.emails[0]!.address } }),
    ).toMatchObject({
      userId: owner.id,
    });
  });
});

describe("groups are the risk tiers", () => {
  it("refuses creating, renaming, unknown groups and unknown members, writing nothing", async () => {
    const { token } = await newToken();
    const before = await snapshot();
    expect((await scim("POST", "/Groups", { token, body: { displayName: "Admins" } })).status).toBe(
      403,
    );
    const rename = await scim("PATCH", "/Groups/PRIVILEGED", {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", path: "displayName", value: "Admins" }],
      },
    });
    expect(rename.json).toMatchObject({ status: "400", scimType: "mutability" });
    expect((await scim("GET", "/Groups/ADMINS", { token })).status).toBe(404);
    const ghost = await scim("PATCH", "/Groups/PRIVILEGED", {
      token,
      body: {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "add",
            path: "members",
            value: [{ value: "00000000-0000-4000-8000-000000000000" }],
          },
        ],
      },
    });
    expect(ghost.json).toMatchObject({ status: "400", scimType: "invalidValue" });
    expect(await snapshot()).toEqual(before);
  });
});

describe("discovery", () => {
  it("answers ServiceProviderConfig, ResourceTypes (User, Group) and Schemas behind the token", async () => {
    const { token } = await newToken(["users:read"]);
    const config = await scim("GET", "/ServiceProviderConfig", { token });
    expect(config.json).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
    });
    expect(
      (await scim("GET", "/ResourceTypes", { token })).json.Resources[0].schemaExtensions,
    ).toHaveLength(2);
    expect(
      (await scim("GET", "/ResourceTypes", { token })).json.Resources.map(
        (r: { id: string }) => r.id,
      ),
    ).toEqual(["User", "Group"]);
    expect((await scim("GET", "/Schemas", { token })).json.totalResults).toBe(4);
    expect((await scim("GET", "/Schemas")).status).toBe(401);
  });
});

describe("tokens", () => {
  it("only security reviewers issue them; kept as a hash; rotation stops the old one at once; all audited", async () => {
    const agent = await actor("AGENT");
    await expect(
      issueScimToken({ staff: agent, name: "Entra ID", scopes: ["users:read"] }),
    ).rejects.toBeInstanceOf(DomainError);

    const { token, id, reviewer } = await newToken(["users:read"]);
    const row = await db.scimToken.findUniqueOrThrow({ where: { id } });
    expect(Buffer.from(row.hash).toString("hex")).toBe(
      createHash("sha256").update(token).digest("hex"),
    );
    expect(JSON.stringify(row)).not.toContain(token.slice(14));

    const rotated = await rotateScimToken({ staff: reviewer, id });
    expect((await scim("GET", "/Schemas", { token })).status).toBe(401);
    expect((await scim("GET", "/Schemas", { token: rotated.token })).status).toBe(200);
    expect(await db.scimToken.findUniqueOrThrow({ where: { id: rotated.id } })).toMatchObject({
      name: "Test IdP",
      scopes: ["users:read"],
      revokedAt: null,
    });
    const actions = await db.auditEvent.findMany({
      where: { targetId: { in: [id, rotated.id] } },
      orderBy: { position: "asc" },
      select: { action: true, actorId: true },
    });
    expect(actions.map((a) => a.action)).toEqual([
      "scim.token_issued",
      "scim.token_revoked",
      "scim.token_issued",
      "scim.request_refused",
    ]);
    expect(actions.slice(0, 3).every((a) => a.actorId === reviewer.id)).toBe(true);
  });
});
