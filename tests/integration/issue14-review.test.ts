/**
 * Issue 14 review: an attacker's pass over SCIM provisioning (decision 033), Shared Signals
 * (decision 034), the ITSM webhooks and inbound link (decision 035) and the step-up of the acts
 * that configure them (decision 015), on a real PostgreSQL through the route handlers, the server
 * actions and the server functions. Each test names an attack and asserts the console holds.
 *
 * Written to FAIL on the code they were written against (holes; the review's report has the fixes):
 * - "PATCH remove of active" and "PUT without active": a leaver comes back ACTIVE although the
 *   identity provider never said active=true (parseUser reads a missing active as true).
 * - "userName in any case": two people may hold the same userName in different case, and SCIM's
 *   case-insensitive `eq` then finds both.
 * - "eq with _ or %", "co, sw and ew": filter values reach ILIKE unescaped, so `userName eq
 *   "a_b@x"` also finds "axb@x" (the identity provider's lookup before it writes or deactivates).
 * - "36 hex digits or dashes": ids that pass the loose /^[0-9a-f-]{36}$/ check but are no uuid
 *   reach PostgreSQL and answer 500 (SCIM Users/{id}, id filters, group members, SSF stream ids).
 * - "a tier raised mid-case": a pass is issued without four-eyes to a person the identity provider
 *   just made privileged, and a pass issued before the raise still opens a session (the case's
 *   facts use the tier the case opened under).
 * - "acknowledging ids that were never sent": a receiver's poll keeps any future-looking jti it
 *   acknowledges, 1,000 per poll, without bound.
 * - "no window": /ssf/verify answers with the first 200 characters of what the push endpoint said,
 *   and http is accepted to localhost, so a receiver reads services on the console's host.
 * - "step-up": issuing a Shared Signals receiver token and adding a webhook endpoint do not ask
 *   for a fresh confirmation (the lead is fixing these two).
 */
import { Readable } from "node:stream";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let sessionToken: string | null = null;
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (sessionToken ? { name, value: sessionToken } : undefined),
  }),
  headers: async () =>
    new Headers({ origin: "http://localhost:3000", "x-request-id": "req-issue14-review" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
  forbidden: () => {
    throw new Error("forbidden");
  },
  notFound: () => {
    throw new Error("not found");
  },
}));

const UsersRoute = await import("@/app/scim/v2/Users/route");
const UserRoute = await import("@/app/scim/v2/Users/[id]/route");
const GroupRoute = await import("@/app/scim/v2/Groups/[id]/route");
const { POST: postPoll } = await import("@/app/ssf/poll/[streamId]/route");
const { GET: getStatus, POST: postStatus } = await import("@/app/ssf/status/route");
const SsfStreams = await import("@/app/ssf/streams/route");
const { POST: postVerify } = await import("@/app/ssf/verify/route");
const { isDomainError } = await import("@/lib/domain/errors");
const { parseItsmLink } = await import("@/lib/domain/itsm-link");
const { issueTap } = await import("@/lib/server/issue-tap");
const { openCase } = await import("@/lib/server/open-case");
const { redeemTap } = await import("@/lib/server/redeem-tap");
const { resolveItsmLink } = await import("@/lib/server/resolve-itsm-link");
const { revokePasskeys } = await import("@/lib/server/revoke-passkeys");
const { issueScimToken, revokeScimToken, rotateScimToken } =
  await import("@/lib/server/scim/tokens");
const { newToken: newSecret } = await import("@/lib/server/secrets");
const { webhookSignature } = await import("@/lib/server/siem/webhook");
const { issueReceiverToken, revokeReceiverToken } = await import("@/lib/server/ssf/tokens");
const { startStaffSession } = await import("@/lib/server/start-staff-session");
const { staffUserHandle } = await import("@/lib/server/staff-passkeys");
const { deliverToEndpoint } = await import("@/lib/server/webhooks/deliver");
const { addWebhookEndpoint } = await import("@/lib/server/webhooks/manage");
const { finishPasskeyRegistration } = await import("@/lib/server/finish-passkey-registration");
const { startPasskeyRegistration } = await import("@/lib/server/start-passkey-registration");
const passkeyActions = await import("@/app/(console)/passkeys/actions");
const { issueScimTokenAction } = await import("@/app/(console)/settings/scim/actions");
const { addWebhookAction, disableWebhookAction } =
  await import("@/app/(console)/settings/webhooks/actions");
const { issueReceiverAction, revokeReceiverAction } =
  await import("@/app/(console)/ssf-receivers/actions");
const { default: ScimSettingsPage } = await import("@/app/(console)/settings/scim/page");
const { default: WebhooksPage } = await import("@/app/(console)/settings/webhooks/page");
const { default: ReceiversPage } = await import("@/app/(console)/ssf-receivers/page");
const { default: ReportsPage } = await import("@/app/(console)/reports/page");
const { default: NewCaseFromTicket } = await import("@/app/(console)/cases/new/page");
const { db } = await import("@/tests/db");
const { createStaff, createWorkforceUser } = await import("@/tests/factories");
const { actor, passIn, redeemedPassSession, verifiedStandardCase } =
  await import("@/tests/recovery");
const { softwarePasskey } = await import("@/tests/software-authenticator");
const { startHttpReceiver } = await import("@/tests/siem-receivers");

const BASE = "http://localhost:3000/scim/v2";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CONSOLE_EXT = "urn:passkey-recovery-console:scim:schemas:extension:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const POLL = "urn:ietf:rfc:8936";
const ACCOUNT_DISABLED = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
const PUSH = "urn:ietf:rfc:8935";

type Scope = "users:read" | "users:write";

async function scimToken(scopes: Scope[] = ["users:read", "users:write"]) {
  const reviewer = await actor("SECURITY");
  const { token, id } = await issueScimToken({ staff: reviewer, name: "Review IdP", scopes });
  return { token, id, reviewer };
}

type Call = { token?: string; body?: unknown; headers?: Record<string, string> };

async function scim(method: string, path: string, call: Call = {}) {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  if (body !== undefined) headers["content-type"] ??= "application/scim+json";
  const req = new Request(`${BASE}${path}`, { method, headers, body });
  const [pathname] = path.split("?");
  const userId = /^\/Users\/([^/]+)$/.exec(pathname!)?.[1];
  const groupId = /^\/Groups\/([^/]+)$/.exec(pathname!)?.[1];
  let response: Response;
  if (groupId) {
    response = await GroupRoute[method as "GET" | "PATCH"](req, {
      params: Promise.resolve({ id: groupId }),
    });
  } else if (userId) {
    response = await UserRoute[method as "GET" | "PUT" | "PATCH" | "DELETE"](req, {
      params: Promise.resolve({ id: decodeURIComponent(userId) }),
    });
  } else {
    response = await UsersRoute[method as "GET" | "POST"](req);
  }
  const text = await response.text();
  return {
    status: response.status,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json: (text ? JSON.parse(text) : null) as any,
  };
}

const patchBody = (...ops: unknown[]) => ({ schemas: [PATCH_OP], Operations: ops });

function tag() {
  return Math.random().toString(36).slice(2, 10);
}

/** What a refused write must leave untouched. */
async function personState(userId: string) {
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: userId },
    include: { emails: { orderBy: { address: "asc" } } },
  });
  return {
    user,
    activePasskeys: await db.passkey.count({ where: { userId, status: "ACTIVE" } }),
    changes: await db.workforceRecordChange.count({ where: { userId } }),
    audits: await db.auditEvent.count({ where: { subjectUserId: userId } }),
  };
}

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return error.code;
    throw error;
  }
  return "ALLOWED";
}

const idle = { status: "idle" } as const;
const form = (fields: Record<string, string | string[]>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields))
    for (const v of Array.isArray(value) ? value : [value]) data.append(key, v);
  return data;
};

/** Signs a staff member in (the cookie's session) with a staff passkey; stepUp() confirms it's them. */
async function signIn(staffId: string) {
  const token = newSecret();
  await startStaffSession({ staffId, token, method: "demo" });
  sessionToken = token;
  const authenticator = softwarePasskey();
  const start = await passkeyActions.startStaffRegistrationAction();
  if (!start.ok) throw new Error(start.message);
  const finish = await passkeyActions.finishStaffRegistrationAction(
    authenticator.register(start.value.challenge),
  );
  if (!finish.ok) throw new Error(finish.message);
  return {
    async stepUp() {
      const begin = await passkeyActions.startStepUpAction();
      if (!begin.ok) throw new Error(begin.message);
      const done = await passkeyActions.finishStepUpAction(
        authenticator.authenticate(begin.value.challenge, staffUserHandle(staffId)),
      );
      if (!done.ok) throw new Error(done.message);
    },
  };
}

const SSF = "http://localhost:3000";
const ssfCall = (path: string, token: string | null, method = "GET", body?: unknown) =>
  new Request(`${SSF}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function receiver(name: string) {
  const reviewer = await actor("SECURITY");
  const issued = await issueReceiverToken({ actor: reviewer, name });
  return { ...issued, reviewer };
}

async function pollStream(token: string, streamId: string) {
  const res = await postPoll(ssfCall(`/ssf/poll/${streamId}`, token, "POST", { maxEvents: 100 }), {
    params: Promise.resolve({ streamId }),
  });
  return { status: res.status, json: (await res.json()) as { sets: Record<string, string> } };
}

// ---------------------------------------------------------------------------------------------
// SCIM: Entra's booleans, leavers and returners
// ---------------------------------------------------------------------------------------------

describe("SCIM: Entra's string booleans", () => {
  it('"False", "false" and "FALSE" as a PATCH value, path-less and capitalised, each make a leaver', async () => {
    const { token } = await scimToken();
    const shapes = [
      { op: "Replace", path: "active", value: "False" },
      { op: "replace", path: "active", value: "false" },
      { op: "REPLACE", path: "active", value: "FALSE" },
      { op: "Replace", value: { active: "False" } },
      { op: "add", value: { ACTIVE: false } },
      { op: "Replace", path: `${CORE}:active`, value: "False" },
    ];
    for (const op of shapes) {
      const user = await createWorkforceUser(db, { passkeys: 2 });
      const res = await scim("PATCH", `/Users/${user.id}`, { token, body: patchBody(op) });
      expect(res.status, JSON.stringify(op)).toBe(200);
      expect(res.json.active).toBe(false);
      const after = await personState(user.id);
      expect(after.user.status, JSON.stringify(op)).toBe("LEFT");
      expect(after.activePasskeys).toBe(0);
    }
  });

  it('" False", 0, "0", null, "no" and a value-less op are SCIM errors that write nothing', async () => {
    const { token } = await scimToken();
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const before = await personState(user.id);
    const bad: unknown[] = [
      { op: "Replace", path: "active", value: " False" },
      { op: "Replace", path: "active", value: 0 },
      { op: "Replace", path: "active", value: "0" },
      { op: "Replace", path: "active", value: null },
      { op: "Replace", path: "active", value: "no" },
      { op: "Replace", path: "active" },
      { op: "Replace", value: { active: "0" } },
      { op: "Replace", value: { active: null } },
      { op: "Replace", value: "False" },
      { op: "Deactivate", path: "active", value: false },
    ];
    for (const op of bad) {
      const res = await scim("PATCH", `/Users/${user.id}`, { token, body: patchBody(op) });
      expect(res.status, JSON.stringify(op)).toBe(400);
      expect(res.json.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    }
    const after = await personState(user.id);
    expect(after.user).toEqual(before.user);
    expect(after.activePasskeys).toBe(2);
    expect(after.changes).toBe(before.changes);
    // Refusals are audited against the token, never as a change of the person.
    expect(after.audits).toBe(before.audits);
  });

  it('PUT with active "False" makes a leaver; PUT with active "0" or null is refused and writes nothing', async () => {
    const { token } = await scimToken();
    const t = tag();
    const created = await scim("POST", "/Users", {
      token,
      body: {
        schemas: [CORE],
        userName: `put-${t}@contoso.example`,
        active: true,
        emails: [{ value: `put-${t}@contoso.example`, type: "work", primary: true }],
      },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const body = (active: unknown) => ({
      schemas: [CORE],
      userName: `put-${t}@contoso.example`,
      active,
      emails: [{ value: `put-${t}@contoso.example`, type: "work", primary: true }],
    });
    const before = await personState(id);
    for (const active of ["0", null, 0, "False "]) {
      const res = await scim("PUT", `/Users/${id}`, { token, body: body(active) });
      expect(res.status, JSON.stringify(active)).toBe(400);
    }
    expect((await personState(id)).user).toEqual(before.user);
    const put = await scim("PUT", `/Users/${id}`, { token, body: body("False") });
    expect(put.status).toBe(200);
    expect((await personState(id)).user.status).toBe("LEFT");
  });
});

describe("SCIM: a leaver who comes back", () => {
  it("active=true after false: ACTIVE, no old passkey, and the pass, link, approval and session from before stay dead", async () => {
    const { token } = await scimToken();
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    // A multi-use pass redeemed once (a live session) and still usable, and a pending approval.
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: true });
    const code = await passIn(address);
    await redeemTap({ email: address, code });
    await db.approval.create({
      data: { caseId, requestedById: agent.id, snapshot: {}, snapshotHash: "h" },
    });
    const passkeysBefore = await db.passkey.findMany({ where: { userId: user.id } });
    expect(passkeysBefore.some((p) => p.status === "ACTIVE")).toBe(true);

    const off = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: patchBody({ op: "Replace", path: "active", value: "False" }),
    });
    expect(off.status).toBe(200);
    const on = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: patchBody({ op: "Replace", path: "active", value: "True" }),
    });
    expect(on.status).toBe(200);
    expect(on.json.active).toBe(true);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).status).toBe(
      "ACTIVE",
    );
    // No old passkey comes back.
    for (const p of passkeysBefore)
      expect((await db.passkey.findUniqueOrThrow({ where: { id: p.id } })).status).toBe("REVOKED");
    // The pass from before the leave opens nothing; the session from before is gone.
    expect(await refusalCode(redeemTap({ email: address, code }))).not.toBe("ALLOWED");
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.approval.count({ where: { caseId: caseId, status: "PENDING" } })).toBe(0);
    expect(
      await db.enrolmentLink.count({ where: { userId: user.id, usedAt: null, voidedAt: null } }),
    ).toBe(0);
    // The cases from before were closed by the leave and stay closed.
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "CLOSED",
    );
  });

  it("HOLE: a PATCH that removes active does not bring a leaver back (only active=true does)", async () => {
    const { token } = await scimToken();
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const off = await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: patchBody({ op: "replace", path: "active", value: false }),
    });
    expect(off.status).toBe(200);
    await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: patchBody({ op: "remove", path: "active" }),
    });
    // The identity provider never said active=true: the person must still be a leaver, so no
    // agent can recover them (today: ACTIVE again, and recoverable by any agent).
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).status).toBe(
      "LEFT",
    );
  });

  it("HOLE: a PUT that omits active (an update of the name) does not bring a leaver back", async () => {
    const { token } = await scimToken();
    const t = tag();
    const created = await scim("POST", "/Users", {
      token,
      body: { schemas: [CORE], userName: `omit-${t}@contoso.example`, active: false },
    });
    expect(created.status).toBe(201);
    expect(created.json.active).toBe(false);
    await scim("PUT", `/Users/${created.json.id}`, {
      token,
      body: { schemas: [CORE], userName: `omit-${t}@contoso.example`, displayName: "Renamed" },
    });
    expect(
      (await db.workforceUser.findUniqueOrThrow({ where: { id: created.json.id as string } }))
        .status,
    ).toBe("LEFT");
  });

  it("an employment end date in the past on create is a leaver at once, who cannot be recovered", async () => {
    const { token } = await scimToken();
    const t = tag();
    const created = await scim("POST", "/Users", {
      token,
      body: {
        schemas: [CORE, CONSOLE_EXT],
        userName: `gone-${t}@contoso.example`,
        emails: [{ value: `gone-${t}@contoso.example`, type: "work", primary: true }],
        [CONSOLE_EXT]: { employmentEndDate: "2020-01-31" },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.active).toBe(false);
    const id = created.json.id as string;
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id } })).status).toBe("LEFT");
    const agent = await actor("AGENT");
    expect(
      await refusalCode(
        openCase({
          actor: agent,
          userId: id,
          reason: "LOST_DEVICE",
          channel: "PHONE",
          callerClaim: "I lost my phone",
        }),
      ),
    ).not.toBe("ALLOWED");
  });
});

describe("SCIM: identities and managers", () => {
  it("HOLE: a PATCH of userName to another person's, in any case, is 409 and writes nothing", async () => {
    const { token } = await scimToken();
    const t = tag();
    const mk = async (name: string) =>
      (
        await scim("POST", "/Users", {
          token,
          body: {
            schemas: [CORE],
            userName: `${name}-${t}@contoso.example`,
            emails: [{ value: `${name}-${t}@contoso.example`, type: "work", primary: true }],
          },
        })
      ).json.id as string;
    const victim = await mk("victim");
    const attacker = await mk("attacker");
    const before = await personState(attacker);
    for (const userName of [`victim-${t}@contoso.example`, `VICTIM-${t}@CONTOSO.EXAMPLE`]) {
      const res = await scim("PATCH", `/Users/${attacker}`, {
        token,
        body: patchBody({ op: "replace", path: "userName", value: userName }),
      });
      // Case-insensitively unique (SCIM's caseExact false), or the filter finds two people.
      expect(res.status, userName).toBe(409);
    }
    const stolenEmail = await scim("PATCH", `/Users/${attacker}`, {
      token,
      body: patchBody({
        op: "replace",
        path: "emails",
        value: [{ value: `victim-${t}@contoso.example`, type: "work", primary: true }],
      }),
    });
    expect(stolenEmail.status).toBe(409);
    expect((await personState(attacker)).user).toEqual(before.user);
    expect(
      await db.workforceEmail.findUniqueOrThrow({
        where: { address: `victim-${t}@contoso.example` },
      }),
    ).toMatchObject({ userId: victim });
  });

  it("a manager id pointing at the person is refused; a two-person cycle is stored without looping", async () => {
    const { token } = await scimToken();
    const a = await createWorkforceUser(db);
    const b = await createWorkforceUser(db);
    const self = await scim("PATCH", `/Users/${a.id}`, {
      token,
      body: patchBody({ op: "replace", path: `${ENTERPRISE}:manager`, value: a.id }),
    });
    expect(self.status).toBe(400);
    expect(self.json.scimType).toBe("invalidValue");
    const unknown = await scim("PATCH", `/Users/${a.id}`, {
      token,
      body: patchBody({
        op: "replace",
        path: `${ENTERPRISE}:manager`,
        value: "00000000-0000-4000-8000-000000000000",
      }),
    });
    expect(unknown.status).toBe(400);
    expect(
      (
        await scim("PATCH", `/Users/${a.id}`, {
          token,
          body: patchBody({ op: "replace", path: `${ENTERPRISE}:manager`, value: b.id }),
        })
      ).status,
    ).toBe(200);
    // Nothing walks the chain of managers (only the one of record answers), so a cycle is inert.
    expect(
      (
        await scim("PATCH", `/Users/${b.id}`, {
          token,
          body: patchBody({
            op: "replace",
            path: `${ENTERPRISE}:manager`,
            value: { value: a.id },
          }),
        })
      ).status,
    ).toBe(200);
    expect((await scim("GET", `/Users/${a.id}`, { token })).status).toBe(200);
  });
});

describe("SCIM: filters", () => {
  it("injection-shaped, huge and deeply nested filters are SCIM errors or match nothing; never a 500", async () => {
    const { token } = await scimToken(["users:read"]);
    const filters = [
      `userName eq "x" or 1 eq 1`,
      `userName eq "\\" OR 1=1 --"`,
      `userName eq "x'; DROP TABLE \\"WorkforceUser\\"; --"`,
      `userName eq x`,
      `password eq "x"`,
      `meta.created gt "2020-01-01"`,
      `userName pr`,
      `not (userName eq "x")`,
      `emails[type eq "work"]`,
      `id eq "' OR '1'='1"`,
      `active eq "true"`,
      `userName eq "${"a".repeat(2000)}"`,
      `${Array.from({ length: 40 }, () => "(").join("")}userName eq "x"${Array.from({ length: 40 }, () => ")").join("")}`,
      Array.from({ length: 60 }, (_, i) => `userName eq "u${i}"`).join(" or "),
    ];
    for (const filter of filters) {
      const res = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`, { token });
      expect([200, 400], filter.slice(0, 60)).toContain(res.status);
      if (res.status === 200) expect(res.json.totalResults, filter.slice(0, 60)).toBe(0);
      else expect(res.json.scimType, filter.slice(0, 60)).toBe("invalidFilter");
    }
  });

  it("HOLE: eq with _ or % in the value finds only that userName (the lookup before every write and every leaver)", async () => {
    const { token } = await scimToken();
    const t = tag();
    for (const userName of [`a_b${t}@contoso.example`, `axb${t}@contoso.example`]) {
      const res = await scim("POST", "/Users", { token, body: { schemas: [CORE], userName } });
      expect(res.status, userName).toBe(201);
    }
    const find = async (filter: string) => {
      const res = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`, { token });
      expect(res.status, filter).toBe(200);
      return (res.json.Resources as { userName: string }[]).map((r) => r.userName);
    };
    // Entra looks the person up by userName before it deactivates them: one person, the right one.
    expect(await find(`userName eq "a_b${t}@contoso.example"`)).toEqual([
      `a_b${t}@contoso.example`,
    ]);
    expect(await find(`userName eq "a%${t}@contoso.example"`)).toEqual([]);
    expect(await find(`userName eq "%${t}@contoso.example"`)).toEqual([]);
  });

  it("HOLE: co, sw and ew treat % _ and \\ as the characters they are, not LIKE wildcards", async () => {
    const { token } = await scimToken();
    const t = tag();
    const names = [`pct%${t}`, `und_${t}`, `bsl\\${t}`, `plain${t}`];
    for (const name of names) {
      const res = await scim("POST", "/Users", {
        token,
        body: { schemas: [CORE], userName: `${name}@contoso.example`, displayName: name },
      });
      expect(res.status, name).toBe(201);
    }
    const count = async (filter: string) => {
      const res = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`, { token });
      expect(res.status, filter).toBe(200);
      return res.json.totalResults as number;
    };
    expect(await count(`userName co "%${t}"`)).toBe(1);
    expect(await count(`userName co "_${t}"`)).toBe(1);
    expect(await count(`userName co "\\\\${t}"`)).toBe(1);
    expect(await count(`userName ew "_${t}@contoso.example"`)).toBe(1);
    // (Prisma's startsWith is LIKE without escaping too: the reference count is plain SQL.)
    const [{ n }] = await db.$queryRaw<[{ n: number }]>`
      SELECT count(*)::int AS n FROM "WorkforceUser" WHERE left(name, 1) = '%'`;
    expect(await count(`displayName sw "%"`)).toBe(n);
  });
});

describe("SCIM: bodies and tokens", () => {
  it("a body over the limit is 413, declared or chunked without a Content-Length, and writes nothing", async () => {
    const { token } = await scimToken();
    const user = await createWorkforceUser(db);
    const before = await personState(user.id);
    const big = JSON.stringify(
      patchBody({ op: "replace", path: "displayName", value: "x".repeat(70_000) }),
    );
    const declared = await UserRoute.PATCH(
      new Request(`${BASE}/Users/${user.id}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/scim+json",
          "content-length": String(big.length),
        },
        body: big,
      }),
      { params: Promise.resolve({ id: user.id }) },
    );
    expect(declared.status).toBe(413);
    const chunks = Array.from({ length: 10 }, (_, i) =>
      Buffer.from(i === 0 ? big.slice(0, 10_000) : big.slice(i * 10_000, (i + 1) * 10_000)),
    );
    const chunked = await UserRoute.PATCH(
      new Request(`${BASE}/Users/${user.id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({ id: user.id }) },
    );
    expect(chunked.status).toBe(413);
    // A Content-Length that lies low does not let the bytes through either.
    const lying = await UserRoute.PATCH(
      new Request(`${BASE}/Users/${user.id}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/scim+json",
          "content-length": "10",
        },
        body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({ id: user.id }) },
    );
    expect(lying.status).toBe(413);
    expect((await personState(user.id)).user).toEqual(before.user);
  });

  it("a revoked token, a rotated-out token and a read-only token on Users and Groups writes are refused at once, writing nothing", async () => {
    const { token, id, reviewer } = await scimToken();
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const deactivate = (t: string) =>
      scim("PATCH", `/Users/${user.id}`, {
        token: t,
        body: patchBody({ op: "Replace", path: "active", value: "False" }),
      });
    const rotated = await rotateScimToken({ staff: reviewer, id });
    expect((await deactivate(token)).status).toBe(401);
    await revokeScimToken({ staff: reviewer, id: rotated.id });
    expect((await deactivate(rotated.token)).status).toBe(401);
    const readOnly = (await scimToken(["users:read"])).token;
    expect((await deactivate(readOnly)).status).toBe(403);
    expect(
      (
        await scim("PATCH", "/Groups/PRIVILEGED", {
          token: readOnly,
          body: patchBody({ op: "add", path: "members", value: [{ value: user.id }] }),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await scim("POST", "/Users", {
          token: readOnly,
          body: { schemas: [CORE], userName: `ro-${tag()}@contoso.example` },
        })
      ).status,
    ).toBe(403);
    // A token for someone else's scheme (another product's bearer) names nothing we hold.
    expect((await deactivate(`scim_${"0".repeat(8)}_${"A".repeat(43)}`)).status).toBe(401);
    const after = await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } });
    expect(after).toMatchObject({ status: "ACTIVE", riskTier: "STANDARD" });
    expect(
      await db.auditEvent.count({
        where: { action: "scim.request_refused", targetId: { in: [id, rotated.id] } },
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it("a stale If-Match on a deactivation is 412 and changes nothing; a malformed id is 404, never a 500", async () => {
    const { token } = await scimToken();
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const read = await scim("GET", `/Users/${user.id}`, { token });
    const etag = read.json.meta.version as string;
    await scim("PATCH", `/Users/${user.id}`, {
      token,
      body: patchBody({ op: "replace", path: "title", value: "Director" }),
    });
    const stale = await scim("PATCH", `/Users/${user.id}`, {
      token,
      headers: { "if-match": etag },
      body: patchBody({ op: "Replace", path: "active", value: "False" }),
    });
    expect(stale.status).toBe(412);
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
    for (const bad of ["not-a-uuid", "%27%20OR%201%3D1", "00000000-0000-0000-0000-00000000000g"]) {
      for (const method of ["GET", "PATCH", "PUT", "DELETE"]) {
        const res = await scim(method, `/Users/${bad}`, {
          token,
          ...(method === "PATCH"
            ? { body: patchBody({ op: "replace", path: "active", value: false }) }
            : method === "PUT"
              ? { body: { schemas: [CORE], userName: "x@contoso.example" } }
              : {}),
        });
        expect(res.status, `${method} ${bad}`).toBe(404);
      }
    }
  });
});

describe("malformed ids", () => {
  it("HOLE: 36 hex digits or dashes that are no uuid, as a SCIM id, an id filter, a group member or a stream id, are refused, never a 500", async () => {
    const { token } = await scimToken();
    const user = await createWorkforceUser(db);
    const bads = ["0".repeat(36), "-".repeat(36), "a".repeat(36)];
    for (const bad of bads) {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const res = await scim(method, `/Users/${bad}`, {
          token,
          ...(method === "PATCH"
            ? { body: patchBody({ op: "replace", path: "active", value: false }) }
            : {}),
        });
        expect(res.status, `${method} /Users/${bad}`).toBe(404);
      }
      const filtered = await scim("GET", `/Users?filter=${encodeURIComponent(`id eq "${bad}"`)}`, {
        token,
      });
      expect(filtered.status, `id eq ${bad}`).toBe(200);
      expect(filtered.json.totalResults).toBe(0);
      const member = await scim("PATCH", "/Groups/PRIVILEGED", {
        token,
        body: patchBody({
          op: "add",
          path: "members",
          value: [{ value: bad }, { value: user.id }],
        }),
      });
      expect(member.status, `member ${bad}`).toBe(400);
    }
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).riskTier).toBe(
      "STANDARD",
    );
    const a = await receiver("Receiver with odd ids");
    for (const bad of bads) {
      const read = await SsfStreams.GET(ssfCall(`/ssf/streams?stream_id=${bad}`, a.token));
      expect(read.status, `stream ${bad}`).toBe(404);
      const status = await getStatus(ssfCall(`/ssf/status?stream_id=${bad}`, a.token));
      expect(status.status, `status ${bad}`).toBe(404);
      const removed = await SsfStreams.DELETE(
        ssfCall(`/ssf/streams?stream_id=${bad}`, a.token, "DELETE"),
      );
      expect(removed.status, `delete ${bad}`).toBe(404);
      const polled = await postPoll(ssfCall(`/ssf/poll/${bad}`, a.token, "POST", {}), {
        params: Promise.resolve({ streamId: bad }),
      });
      expect(polled.status, `poll ${bad}`).toBe(404);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// SCIM: the leaver against the desk, concurrently on PostgreSQL
// ---------------------------------------------------------------------------------------------

describe("SCIM: the leaver wins every race", () => {
  it("deactivation at the moment a pass is redeemed: no session survives and no pass is left", async () => {
    for (let round = 0; round < 3; round++) {
      const { token } = await scimToken();
      const { agent, user, caseId } = await verifiedStandardCase();
      const address = user.emails[0]!.address;
      await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
      const code = await passIn(address);
      const [redeemed, deactivated] = await Promise.allSettled([
        redeemTap({ email: address, code }),
        scim("PATCH", `/Users/${user.id}`, {
          token,
          body: patchBody({ op: "Replace", path: "active", value: "False" }),
        }),
      ]);
      expect(deactivated).toMatchObject({ status: "fulfilled", value: { status: 200 } });
      if (redeemed.status === "rejected") expect(isDomainError(redeemed.reason)).toBe(true);
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      expect(
        await db.temporaryAccessPass.count({
          where: { userId: user.id, usedAt: null, voidedAt: null },
        }),
      ).toBe(0);
      expect(await refusalCode(redeemTap({ email: address, code }))).not.toBe("ALLOWED");
    }
  });

  it("deactivation at the moment an enrolment through a pass finishes: no passkey is left active", async () => {
    for (let round = 0; round < 3; round++) {
      const { token } = await scimToken();
      const { user, grant } = await redeemedPassSession();
      const options = await startPasskeyRegistration({ grant });
      const response = softwarePasskey().register(options.challenge);
      const [finished, deactivated] = await Promise.allSettled([
        finishPasskeyRegistration({ grant, response }),
        scim("PATCH", `/Users/${user.id}`, {
          token,
          body: patchBody({ op: "replace", value: { active: false } }),
        }),
      ]);
      expect(deactivated).toMatchObject({ status: "fulfilled", value: { status: 200 } });
      if (finished.status === "rejected") expect(isDomainError(finished.reason)).toBe(true);
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).status).toBe(
        "LEFT",
      );
    }
  });

  it("deactivation at the moment an agent issues a pass (through DELETE): the pass is refused or voided", async () => {
    for (let round = 0; round < 3; round++) {
      const { token } = await scimToken();
      const { agent, user, caseId } = await verifiedStandardCase();
      const [issued, deleted] = await Promise.allSettled([
        issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: true }),
        scim("DELETE", `/Users/${user.id}`, { token }),
      ]);
      expect(deleted).toMatchObject({ status: "fulfilled", value: { status: 204 } });
      if (issued.status === "rejected") expect(isDomainError(issued.reason)).toBe(true);
      expect(
        await db.temporaryAccessPass.count({
          where: { userId: user.id, usedAt: null, voidedAt: null },
        }),
      ).toBe(0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// SCIM: a mover's tier, department, manager and phone
// ---------------------------------------------------------------------------------------------

describe("SCIM: the mover", () => {
  it("a change of manager, of phone, or of tier through a group lapses the pending approval", async () => {
    const { token } = await scimToken();
    const newManager = await createWorkforceUser(db, { passkeys: 0 });
    const changes: [string, (userId: string) => Promise<{ status: number }>][] = [
      [
        "manager",
        (userId) =>
          scim("PATCH", `/Users/${userId}`, {
            token,
            body: patchBody({
              op: "replace",
              path: `${ENTERPRISE}:manager`,
              value: { value: newManager.id },
            }),
          }),
      ],
      [
        "phone",
        (userId) =>
          scim("PATCH", `/Users/${userId}`, {
            token,
            body: patchBody({
              op: "Replace",
              path: 'phoneNumbers[type eq "work"].value',
              value: "+44 20 7946 0123",
            }),
          }),
      ],
      [
        "tier",
        (userId) =>
          scim("PATCH", "/Groups/PRIVILEGED", {
            token,
            body: patchBody({ op: "Add", path: "members", value: [{ value: userId }] }),
          }),
      ],
    ];
    for (const [what, change] of changes) {
      const { agent, user, caseId } = await verifiedStandardCase();
      await db.recoveryCase.update({
        where: { id: caseId },
        data: { status: "PENDING_APPROVAL" },
      });
      await db.approval.create({
        data: { caseId, requestedById: agent.id, snapshot: {}, snapshotHash: "h" },
      });
      expect([200, 204], what).toContain((await change(user.id)).status);
      expect(await db.approval.findFirstOrThrow({ where: { caseId } }), what).toMatchObject({
        status: "VOIDED",
      });
    }
  });

  it("HOLE: a tier raised to privileged mid-case: the agent alone cannot issue a pass", async () => {
    const { token } = await scimToken();
    const { agent, user, caseId } = await verifiedStandardCase();
    const raised = await scim("PATCH", "/Groups/PRIVILEGED", {
      token,
      body: patchBody({ op: "add", path: "members", value: [{ value: user.id }] }),
    });
    expect(raised.status).toBe(204);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).riskTier).toBe(
      "PRIVILEGED",
    );
    // Privileged people need a second person (decision 013), and their script asks for more than
    // the standard one: the case is judged under the raised tier, and no pass goes out.
    expect(
      await refusalCode(issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false })),
    ).toMatch(/^(APPROVAL_REQUIRED|VERIFICATION_INCOMPLETE)$/);
    expect(await db.temporaryAccessPass.count({ where: { caseId } })).toBe(0);
  });

  it("HOLE: a pass outstanding when the tier is raised to privileged opens no session", async () => {
    const { token } = await scimToken();
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const code = await passIn(address);
    const raised = await scim("PATCH", "/Groups/PRIVILEGED", {
      token,
      body: patchBody({ op: "add", path: "members", value: [{ value: user.id }] }),
    });
    expect(raised.status).toBe(204);
    // The pass was judged on a standard person; the person is privileged now: it must not stand.
    expect(await refusalCode(redeemTap({ email: address, code }))).not.toBe("ALLOWED");
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Shared Signals
// ---------------------------------------------------------------------------------------------

describe("Shared Signals: a receiver sees only its own stream", () => {
  it("another receiver's stream id is not found on every operation, and that stream is unchanged", async () => {
    const a = await receiver("Receiver A");
    const b = await receiver("Receiver B");
    const created = await SsfStreams.POST(
      ssfCall("/ssf/streams", a.token, "POST", {
        delivery: { method: POLL },
        description: "A's stream",
      }),
    );
    expect(created.status).toBe(201);
    const streamId = ((await created.json()) as { stream_id: string }).stream_id;
    const before = await db.ssfStream.findUniqueOrThrow({ where: { id: streamId } });

    const attempts: [string, () => Promise<Response>][] = [
      ["read", () => SsfStreams.GET(ssfCall(`/ssf/streams?stream_id=${streamId}`, b.token))],
      [
        "patch",
        () =>
          SsfStreams.PATCH(
            ssfCall("/ssf/streams", b.token, "PATCH", {
              stream_id: streamId,
              description: "mine now",
            }),
          ),
      ],
      [
        "put",
        () =>
          SsfStreams.PUT(
            ssfCall("/ssf/streams", b.token, "PUT", {
              stream_id: streamId,
              delivery: { method: PUSH, endpoint_url: "https://attacker.example/ssf" },
            }),
          ),
      ],
      [
        "delete",
        () => SsfStreams.DELETE(ssfCall(`/ssf/streams?stream_id=${streamId}`, b.token, "DELETE")),
      ],
      ["status read", () => getStatus(ssfCall(`/ssf/status?stream_id=${streamId}`, b.token))],
      [
        "status write",
        () =>
          postStatus(
            ssfCall("/ssf/status", b.token, "POST", { stream_id: streamId, status: "disabled" }),
          ),
      ],
      [
        "verify",
        () => postVerify(ssfCall("/ssf/verify", b.token, "POST", { stream_id: streamId })),
      ],
      [
        "poll",
        () =>
          postPoll(ssfCall(`/ssf/poll/${streamId}`, b.token, "POST", { ack: [] }), {
            params: Promise.resolve({ streamId }),
          }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt();
      expect(res.status, what).toBe(404);
      expect(await res.text(), what).not.toContain("A's stream");
    }
    // B's list never shows A's stream.
    const list = (await (
      await SsfStreams.GET(ssfCall("/ssf/streams", b.token))
    ).json()) as unknown[];
    expect(list).toEqual([]);
    expect(await db.ssfStream.findUniqueOrThrow({ where: { id: streamId } })).toEqual(before);
    // Malformed ids are a refusal, never a 500.
    for (const bad of ["x", "' OR 1=1 --", "00000000-0000-0000-0000-00000000000g"]) {
      const res = await SsfStreams.GET(
        ssfCall(`/ssf/streams?stream_id=${encodeURIComponent(bad)}`, a.token),
      );
      expect(res.status, bad).toBe(404);
      const polled = await postPoll(ssfCall(`/ssf/poll/x`, a.token, "POST", {}), {
        params: Promise.resolve({ streamId: bad }),
      });
      expect(polled.status, bad).toBe(404);
    }
  });

  it("acknowledging on one's own stream moves only that stream: the other still gets every event", async () => {
    const a = await receiver("Receiver A");
    const b = await receiver("Receiver B");
    const make = async (token: string) =>
      (
        (await (
          await SsfStreams.POST(
            ssfCall("/ssf/streams", token, "POST", { delivery: { method: POLL } }),
          )
        ).json()) as { stream_id: string }
      ).stream_id;
    const streamA = await make(a.token);
    const streamB = await make(b.token);
    const security = await actor("SECURITY");
    const person = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: security,
      userId: person.id,
      request: { scope: "ALL" },
      reason: "LOST",
    });
    const polledB = await pollStream(b.token, streamB);
    const jtis = Object.keys(polledB.json.sets);
    expect(jtis.length).toBeGreaterThan(0);
    // B acknowledges everything it got, plus ids far ahead it never got.
    const acked = await postPoll(
      ssfCall(`/ssf/poll/${streamB}`, b.token, "POST", {
        ack: [...jtis, "audit-999999999-0"],
        maxEvents: 0,
      }),
      { params: Promise.resolve({ streamId: streamB }) },
    );
    expect(acked.status).toBe(200);
    const polledA = await pollStream(a.token, streamA);
    expect(Object.keys(polledA.json.sets)).toEqual(expect.arrayContaining(jtis));
    for (const jwt of Object.values(polledA.json.sets))
      expect(decodeJwt(jwt).aud).toBe(`urn:uuid:${a.id}`);
  });

  it("HOLE: acknowledging ids that were never sent stores nothing (no unbounded growth of the stream's row)", async () => {
    const a = await receiver("Ack flooder");
    const streamId = (
      (await (
        await SsfStreams.POST(
          ssfCall("/ssf/streams", a.token, "POST", { delivery: { method: POLL } }),
        )
      ).json()) as { stream_id: string }
    ).stream_id;
    for (let round = 0; round < 3; round++) {
      const ack = Array.from(
        { length: 1000 },
        (_, i) => `audit-${9_000_000_000_000_000_000n - BigInt(round * 1000 + i)}-9999`,
      );
      const res = await postPoll(
        ssfCall(`/ssf/poll/${streamId}`, a.token, "POST", { ack, maxEvents: 0 }),
        { params: Promise.resolve({ streamId }) },
      );
      expect(res.status).toBe(200);
    }
    // Today: 3,000 made-up ids of future positions kept on the row, and every later poll reads and
    // rewrites them; a receiver can grow it without bound.
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: streamId } })).ackedJtis).toEqual(
      [],
    );
  });

  it("HOLE: a push endpoint on the console's own host is no window: /ssf/verify does not hand back what an internal service answered", async () => {
    // An internal service on the console's host (an admin port, a witness, a sidecar): it
    // answers anyone who POSTs, with content meant for the machine only.
    const internal = await startHttpReceiver();
    internal.answer = () => 200;
    try {
      const a = await receiver("Curious receiver");
      const created = await SsfStreams.POST(
        ssfCall("/ssf/streams", a.token, "POST", {
          delivery: { method: PUSH, endpoint_url: internal.url },
        }),
      );
      // http is allowed to localhost (for development), so this is accepted today.
      expect(created.status).toBe(201);
      const streamId = ((await created.json()) as { stream_id: string }).stream_id;
      const verified = await postVerify(
        ssfCall("/ssf/verify", a.token, "POST", { stream_id: streamId }),
      );
      expect(internal.requests.length).toBe(1);
      // Today: 502 with "HTTP 200: answer 200", the internal service's own words.
      expect(await verified.text()).not.toContain("answer 200");
    } finally {
      await internal.stop();
    }
  });

  it("a revoked receiver token is refused at once, and cannot enable its disabled streams again", async () => {
    const a = await receiver("Receiver to revoke");
    const created = (await (
      await SsfStreams.POST(
        ssfCall("/ssf/streams", a.token, "POST", { delivery: { method: POLL } }),
      )
    ).json()) as { stream_id: string };
    await revokeReceiverToken({ actor: a.reviewer, id: a.id });
    const enable = await postStatus(
      ssfCall("/ssf/status", a.token, "POST", {
        stream_id: created.stream_id,
        status: "enabled",
      }),
    );
    expect(enable.status).toBe(401);
    expect((await SsfStreams.GET(ssfCall("/ssf/streams", a.token))).status).toBe(401);
    expect(
      (
        await postPoll(ssfCall(`/ssf/poll/${created.stream_id}`, a.token, "POST", {}), {
          params: Promise.resolve({ streamId: created.stream_id }),
        })
      ).status,
    ).toBe(401);
    expect(
      await db.ssfStream.findUniqueOrThrow({ where: { id: created.stream_id } }),
    ).toMatchObject({ status: "disabled" });
  });

  it("unknown event URIs and push endpoints that are not https are refused, creating nothing", async () => {
    const a = await receiver("Picky receiver");
    const count = () => db.ssfStream.count({ where: { tokenId: a.id } });
    const bodies = [
      { delivery: { method: POLL }, events_requested: ["https://evil.example/event"] },
      {
        delivery: { method: POLL },
        events_requested: ["https://schemas.openid.net/secevent/caep/event-type/unknown"],
      },
      { delivery: { method: PUSH, endpoint_url: "javascript:alert(1)" } },
      { delivery: { method: PUSH, endpoint_url: "file:///etc/passwd" } },
      { delivery: { method: PUSH, endpoint_url: "http://169.254.169.254/latest/meta-data/" } },
      { delivery: { method: PUSH, endpoint_url: "http://10.0.0.5/ssf" } },
      { delivery: { method: PUSH, endpoint_url: "http://localhost.attacker.example/ssf" } },
      { delivery: { method: PUSH, endpoint_url: "gopher://localhost:5432/" } },
      { delivery: { method: "urn:example:smoke-signals" } },
      { delivery: { method: POLL }, iss: "https://attacker.example" },
    ];
    for (const body of bodies) {
      const res = await SsfStreams.POST(ssfCall("/ssf/streams", a.token, "POST", body));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await count()).toBe(0);
  });
});

describe("Shared Signals: what a SET carries", () => {
  it("no pass, session token, caller's words, full phone number or secret in any SET; a stream gets only what it asked for", async () => {
    const a = await receiver("Auditor");
    const streamId = (
      (await (
        await SsfStreams.POST(
          ssfCall("/ssf/streams", a.token, "POST", { delivery: { method: POLL } }),
        )
      ).json()) as { stream_id: string }
    ).stream_id;
    const narrow = (
      (await (
        await SsfStreams.POST(
          ssfCall("/ssf/streams", a.token, "POST", {
            delivery: { method: POLL },
            events_requested: [ACCOUNT_DISABLED],
          }),
        )
      ).json()) as { stream_id: string }
    ).stream_id;
    const { token: scimSecret } = await scimToken();
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: true });
    const code = await passIn(address);
    const { token: session } = await redeemTap({ email: address, code });
    await revokePasskeys({
      actor: await actor("SECURITY"),
      userId: user.id,
      request: { scope: "ALL" },
      reason: "STOLEN",
    });
    await scim("PATCH", `/Users/${user.id}`, {
      token: scimSecret,
      body: patchBody({ op: "Replace", path: "active", value: "False" }),
    });
    const polled = await pollStream(a.token, streamId);
    const sets = Object.values(polled.json.sets).map((jwt) => decodeJwt(jwt));
    const mine = sets.filter((set) => JSON.stringify(set).includes(address));
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const everything = JSON.stringify(sets);
    for (const secret of [
      session,
      scimSecret,
      a.token,
      code,
      user.phoneOfRecord,
      user.phoneOfRecord.replace(/\D/g, ""),
      "Lost my phone on the train",
      agent.email,
    ])
      expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/whsec_|scim_[0-9a-f]{8}_/);
    // The stream that asked for account-disabled only gets nothing else.
    const narrowSets = Object.values((await pollStream(a.token, narrow)).json.sets).map((jwt) =>
      Object.keys((decodeJwt(jwt).events ?? {}) as Record<string, unknown>),
    );
    expect(narrowSets.length).toBeGreaterThanOrEqual(1);
    for (const types of narrowSets) expect(types).toEqual([ACCOUNT_DISABLED]);
  });
});

// ---------------------------------------------------------------------------------------------
// ITSM: webhooks and the inbound link
// ---------------------------------------------------------------------------------------------

describe("ITSM webhooks", () => {
  let itsm: Awaited<ReturnType<typeof startHttpReceiver>>;
  beforeAll(async () => {
    itsm = await startHttpReceiver();
  });
  afterAll(async () => {
    await itsm.stop();
  });

  it("an agent cannot add or disable endpoints (refused, audited access.denied, nothing written)", async () => {
    const agent = await createStaff(db, { role: "AGENT" });
    await signIn(agent.id);
    const before = await db.webhookEndpoint.count();
    await expect(
      addWebhookAction(idle, form({ name: "Mine", url: "https://x.example" })),
    ).rejects.toThrow("forbidden");
    const someId = "00000000-0000-4000-8000-000000000000";
    await expect(disableWebhookAction(idle, form({ endpointId: someId }))).rejects.toThrow(
      "forbidden",
    );
    await expect(issueReceiverAction(idle, form({ name: "Mine" }))).rejects.toThrow("forbidden");
    expect(await db.webhookEndpoint.count()).toBe(before);
    expect(
      await db.auditEvent.count({ where: { action: "access.denied", actorId: agent.id } }),
    ).toBe(3);
  });

  it("javascript:, file:, data:, plain http and lookalike hosts are refused as endpoints; malformed ids are refused, never a 500", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY" });
    const { stepUp } = await signIn(reviewer.id);
    await stepUp();
    const before = await db.webhookEndpoint.count();
    for (const url of [
      "javascript:alert(document.cookie)",
      "JAVASCRIPT://localhost/%0aalert(1)",
      "file:///etc/passwd",
      "data:text/html,<script>alert(1)</script>",
      "http://itsm.example/hook",
      "http://localhost.attacker.example/hook",
      "http://127.0.0.1.nip.io/hook",
      "ftp://localhost/hook",
      `https://x.example/${"a".repeat(600)}`,
    ]) {
      const state = await addWebhookAction(idle, form({ name: "ITSM", url }));
      expect(state.status, url).toBe("invalid");
    }
    for (const endpointId of ["not-a-uuid", "' OR 1=1 --", ""]) {
      const state = await disableWebhookAction(idle, form({ endpointId }));
      expect(state.status, endpointId).toBe("invalid");
    }
    expect(await db.webhookEndpoint.count()).toBe(before);
  });

  it("a case's events carry no address, name, caller's words, pass or secret; the signature binds the timestamp", async () => {
    const security = await actor("SECURITY");
    const { endpointId, secret } = await addWebhookEndpoint({
      actor: security,
      name: "Review ITSM",
      url: itsm.url,
    });
    const from = itsm.requests.length;
    const { agent, user, caseId } = await verifiedStandardCase({ personalEmail: true });
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const personal = user.emails.find((e) => e.kind === "personal")?.address;
    const pass = await passIn(
      personal ??
        (
          await db.workforceEmail.findFirstOrThrow({
            where: { userId: user.id, kind: "personal" },
          })
        ).address,
    );
    for (let i = 0; i < 5; i++)
      await deliverToEndpoint(db, endpointId, { baseUrl: "https://console.example" });
    const received = itsm.requests.slice(from);
    expect(received.length).toBeGreaterThanOrEqual(2);
    const bodies = received.map((r) => r.body).join("\n");
    for (const leak of [
      pass,
      pass.replace(/-/g, ""),
      secret,
      user.name,
      user.emails[0]!.address,
      user.phoneOfRecord,
      "Lost my phone on the train",
      agent.email,
    ])
      expect(bodies).not.toContain(leak);
    // A receiver must refuse an old timestamp (decision 035); the signature at least binds it:
    // the same body under a later timestamp does not verify.
    const first = received[0]!;
    const ts = String(first.headers["x-console-timestamp"]);
    expect(first.headers["x-console-signature"]).toBe(webhookSignature(secret, ts, first.body));
    expect(webhookSignature(secret, String(Number(ts) + 3600), first.body)).not.toBe(
      first.headers["x-console-signature"],
    );
  });
});

describe("the ITSM's inbound link", () => {
  it("control characters, HTML, very long tickets and odd employee ids are problems, never a redirect elsewhere", async () => {
    const person = await createWorkforceUser(db);
    for (const ticket of [
      "INC0012345\u0000",
      "INC\u202e5432100",
      "<img src=x onerror=alert(1)>",
      "javascript:alert(1)",
      "INC0012345\r\nSet-Cookie: x=1",
      "I".repeat(5000),
      "",
    ]) {
      const link = await resolveItsmLink({ ticket, employee: person.employeeId });
      expect(link.ok, JSON.stringify(ticket).slice(0, 40)).toBe(false);
    }
    for (const employee of [
      "//evil.example",
      "https://evil.example",
      "../../admin",
      "E1' OR '1'='1",
      "x".repeat(500),
    ]) {
      const link = await resolveItsmLink({ ticket: "INC0012345", employee });
      expect(link.ok, employee.slice(0, 40)).toBe(false);
    }
    // Arrays (ticket=a&ticket=b) take the first; the path is always the person's page on this console.
    const ok = await resolveItsmLink({
      ticket: ["inc0012345", "<script>"],
      employee: [person.employeeId],
    });
    expect(ok).toEqual({
      ok: true,
      path: `/users/${person.id}?ticket=INC0012345#recovery`,
    });
    expect(parseItsmLink({ ticket: "#12345", employee: "E1" })).toMatchObject({ ok: true });
  });

  it("a leaver's employee id opens their page, and no case can be opened for them with the ticket", async () => {
    const { token } = await scimToken();
    const person = await createWorkforceUser(db);
    await scim("DELETE", `/Users/${person.id}`, { token });
    const link = await resolveItsmLink({ ticket: "INC0012345", employee: person.employeeId });
    expect(link.ok).toBe(true);
    const agent = await actor("AGENT");
    expect(
      await refusalCode(
        openCase({
          actor: agent,
          userId: person.id,
          reason: "LOST_DEVICE",
          channel: "PHONE",
          callerClaim: "I lost my phone",
          ticketRef: "INC0012345",
        }),
      ),
    ).not.toBe("ALLOWED");
    expect(await db.recoveryCase.count({ where: { userId: person.id } })).toBe(0);
  });

  it("a ticket that is not a reference is refused by openCase, audited, and nothing opens", async () => {
    const agent = await actor("AGENT");
    const person = await createWorkforceUser(db);
    for (const ticketRef of ["<b>INC1</b>", "INC0012345\u0000", "x".repeat(300)]) {
      expect(
        await refusalCode(
          openCase({
            actor: agent,
            userId: person.id,
            reason: "LOST_DEVICE",
            channel: "PHONE",
            callerClaim: "I lost my phone",
            ticketRef,
          }),
        ),
      ).toBe("INVALID_INPUT");
    }
    expect(await db.recoveryCase.count({ where: { userId: person.id } })).toBe(0);
  });

  it("the page asks for cases:work: a security reviewer is refused, audited; it redirects only to the person's page", async () => {
    const person = await createWorkforceUser(db);
    const reviewer = await createStaff(db, { role: "SECURITY" });
    await signIn(reviewer.id);
    await expect(
      NewCaseFromTicket({
        searchParams: Promise.resolve({ ticket: "INC0012345", employee: person.employeeId }),
      }),
    ).rejects.toThrow("forbidden");
    expect(
      await db.auditEvent.count({ where: { action: "access.denied", actorId: reviewer.id } }),
    ).toBeGreaterThanOrEqual(1);
    const agent = await createStaff(db, { role: "AGENT" });
    await signIn(agent.id);
    await expect(
      NewCaseFromTicket({
        searchParams: Promise.resolve({ ticket: "INC0012345", employee: person.employeeId }),
      }),
    ).rejects.toThrow(`redirect /users/${person.id}?ticket=INC0012345#recovery`);
    // Nothing opened by following the link.
    expect(await db.recoveryCase.count({ where: { userId: person.id } })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Step-up (decision 015) for the acts that configure the estate's connections
// ---------------------------------------------------------------------------------------------

describe("step-up before configuring connections", () => {
  it("issuing a SCIM token without a fresh confirmation is refused, audited, and issues nothing", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY" });
    const { stepUp } = await signIn(reviewer.id);
    const before = await db.scimToken.count();
    const refused = await issueScimTokenAction(
      idle,
      form({ name: "Entra", scopes: ["users:read", "users:write"] }),
    );
    expect(refused).toMatchObject({ status: "refused" });
    expect(await db.scimToken.count()).toBe(before);
    expect(
      await db.auditEvent.count({
        where: { action: "staff.step_up_required", actorId: reviewer.id },
      }),
    ).toBe(1);
    await stepUp();
    expect(
      await issueScimTokenAction(
        idle,
        form({ name: "Entra", scopes: ["users:read", "users:write"] }),
      ),
    ).toMatchObject({ status: "ok" });
  });

  it("HOLE (being fixed): issuing a Shared Signals receiver token asks for a fresh confirmation", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY" });
    await signIn(reviewer.id);
    const before = await db.ssfReceiverToken.count();
    const state = await issueReceiverAction(idle, form({ name: "Mail gateway" }));
    expect(state).toMatchObject({ status: "refused" });
    expect(await db.ssfReceiverToken.count()).toBe(before);
  });

  it("HOLE (being fixed): adding a webhook endpoint asks for a fresh confirmation", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY" });
    await signIn(reviewer.id);
    const before = await db.webhookEndpoint.count();
    const state = await addWebhookAction(
      idle,
      form({ name: "ITSM", url: "https://itsm.example/hook" }),
    );
    expect(state).toMatchObject({ status: "refused" });
    expect(await db.webhookEndpoint.count()).toBe(before);
  });

  it("revoking a receiver with a malformed id is refused, never a 500", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY" });
    const { stepUp } = await signIn(reviewer.id);
    await stepUp();
    for (const receiverId of ["x", "' OR 1=1", ""]) {
      const state = await revokeReceiverAction(idle, form({ receiverId }));
      expect(state.status, receiverId).not.toBe("ok");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The pages authorize themselves
// ---------------------------------------------------------------------------------------------

describe("the new pages authorize themselves", () => {
  it("an agent and a supervisor are refused /settings/scim, /settings/webhooks, /ssf-receivers; an agent /reports; each audited", async () => {
    const pages: [string, () => Promise<unknown>][] = [
      ["/settings/scim", () => ScimSettingsPage()],
      ["/settings/webhooks", () => WebhooksPage()],
      ["/ssf-receivers", () => ReceiversPage()],
    ];
    for (const role of ["AGENT", "SUPERVISOR"] as const) {
      const staff = await createStaff(db, { role });
      await signIn(staff.id);
      for (const [path, render] of pages) {
        await expect(render(), `${role} ${path}`).rejects.toThrow("forbidden");
      }
      expect(
        await db.auditEvent.count({ where: { action: "access.denied", actorId: staff.id } }),
      ).toBe(pages.length);
    }
    const agent = await createStaff(db, { role: "AGENT" });
    await signIn(agent.id);
    await expect(ReportsPage({ searchParams: Promise.resolve({ dormant: "30" }) })).rejects.toThrow(
      "forbidden",
    );
    // Signed out: nobody's page renders.
    sessionToken = null;
    for (const [path, render] of pages) await expect(render(), path).rejects.toThrow();
  });

  it("the reports page takes any dormant value without a 500", async () => {
    const reviewer = await createStaff(db, { role: "SECURITY" });
    await signIn(reviewer.id);
    for (const dormant of ["30", "-1", "99999999999", "' OR 1=1", "NaN", ["60", "90"]])
      await expect(
        ReportsPage({ searchParams: Promise.resolve({ dormant }) }),
        JSON.stringify(dormant),
      ).resolves.toBeTruthy();
  });
});
