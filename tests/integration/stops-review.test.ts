/**
 * Attacker's review of the stop paths' writes folded into fewer statements (commit e9a6e50,
 * docs/decisions/044), against PostgreSQL: what a revoke-all, a revoke of one passkey, a leaver
 * (HR and SCIM) and voidRecovery leave behind; the counts in their audit rows; the instants they
 * write from a session whose time zone is far from UTC; odd values (quotes, duplicates, many
 * addresses, SQL in a reason); and each stop raced (Promise.all, several rounds) against what
 * opens a way in: redeeming a recovery code or a pass, signing in, finishing an enrolment.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.RATE_LIMITS = [
    "anonymous.client=100000/60",
    "redeem.client=100000/60",
    "redeem.clientAccount=100000/60",
    "link.client=100000/60",
    "sso.client=100000/60",
    "signIn.client=100000/60",
    "signIn.account=100000/60",
    "recoveryCode.client=100000/60",
    "recoveryCode.account=100000/60",
  ].join(",");
});

const UserRoute = await import("@/app/scim/v2/Users/[id]/route");
const { DomainError } = await import("@/lib/domain/errors");
const { passkeysRevokedNotice } = await import("@/lib/domain/notifications");
const { changeEmploymentStatus } = await import("@/lib/server/cases/change-employment-status");
const { voidRecovery } = await import("@/lib/server/cases/void-recovery");
const { enqueueMessages } = await import("@/lib/server/enqueue-message");
const { finishPasskeyRegistration } = await import("@/lib/server/finish-passkey-registration");
const { issueTap } = await import("@/lib/server/issue-tap");
const { generateRecoveryCodes, redeemRecoveryCode } = await import("@/lib/server/recovery-codes");
const { redeemTap } = await import("@/lib/server/redeem-tap");
const { requestReenrolment } = await import("@/lib/server/request-reenrolment");
const { revokeAllWithinUnit, revokePasskeys } = await import("@/lib/server/revoke-passkeys");
const { issueScimToken } = await import("@/lib/server/scim/tokens");
const { unseal } = await import("@/lib/server/sealed");
const { newToken } = await import("@/lib/server/secrets");
const { startPasskeyRegistration } = await import("@/lib/server/start-passkey-registration");
const { finishWorkforceSignIn, startWorkforceSignIn } =
  await import("@/lib/server/workforce-sign-in");
const { db } = await import("@/tests/db");
const { createWorkforceUser } = await import("@/tests/factories");
const {
  actor,
  codeSession,
  inFarTimeZone,
  linkToken,
  messageOfKind,
  passIn,
  passkeySession,
  selfServiceCase,
  signInWithPasskey,
  userWithManager,
  userWithSoftwarePasskey,
  verifiedStandardCase,
} = await import("@/tests/recovery");
const { softwarePasskey } = await import("@/tests/software-authenticator");

const ROUNDS = 3;

/** An agent's revoke-all for loss: the stop every race below runs. */
function revokeAll(agent: Awaited<ReturnType<typeof actor>>, userId: string) {
  return revokePasskeys({ actor: agent, userId, request: { scope: "ALL" }, reason: "LOST" });
}
const later = () => new Date(Date.now() + 3600_000);
const request = () => ({
  requestId: randomUUID(),
  ip: `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
});

/** Runs `work` in an audited transaction whose session lives at UTC+12:45 (or +13:45). */

/**
 * Both sides of a race, settled. Whichever lost may only have been refused (a DomainError): any
 * other failure means the race was not the one meant, and the probe would prove nothing.
 */
async function race(...sides: Promise<unknown>[]) {
  const settled = await Promise.allSettled(sides);
  for (const side of settled)
    if (side.status === "rejected") expect(side.reason).toBeInstanceOf(DomainError);
  return settled.map((side) => side.status);
}

/** A standard case verified for a fresh person, with a pass issued, and the pass as typed. */
async function issuedPass() {
  const { agent, user, caseId } = await verifiedStandardCase();
  const address = user.emails.find((e) => e.isPrimary)?.address ?? user.emails[0]!.address;
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
  return { agent, user, caseId, address, code: await passIn(address) };
}

/** A person with a real passkey, signed in, with a live set of codes; first recovery days ago. */
async function personWithCodes() {
  const { user, passkey } = await userWithSoftwarePasskey();
  await db.recoveryCase.updateMany({
    where: { userId: user.id },
    data: { createdAt: new Date(Date.now() - 3 * 24 * 3600_000) },
  });
  const token = await signInWithPasskey(user, passkey);
  const { codes } = await generateRecoveryCodes({ token });
  return { user, passkey, token, codes };
}

function redeemCode(user: { employeeId: string }, code: string) {
  return redeemRecoveryCode({ identity: user.employeeId, code, request: request() });
}

/** Entra/Okta deactivating the person through the SCIM route (the leaver stop, decision 033). */
async function scimDeactivate(token: string, userId: string) {
  const response = await UserRoute.PATCH(
    new Request(`http://localhost:3000/scim/v2/Users/${userId}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { active: false } }],
      }),
    }),
    { params: Promise.resolve({ id: userId }) },
  );
  return response.status;
}

async function scimToken() {
  const reviewer = await actor("SECURITY");
  const { token } = await issueScimToken({
    staff: reviewer,
    name: "Review IdP",
    scopes: ["users:read", "users:write"],
  });
  return token;
}

/** What nobody may hold after a whole-person stop. */
async function nothingLeft(userId: string) {
  const [sessions, activePasskeys, liveSets, usablePasses, openLinks, openCeremonies] =
    await Promise.all([
      db.workforceSession.count({ where: { userId } }),
      db.passkey.count({ where: { userId, status: "ACTIVE" } }),
      db.recoveryCodeSet.count({ where: { userId, replacedAt: null, voidedAt: null } }),
      db.temporaryAccessPass.count({ where: { userId, usedAt: null, voidedAt: null } }),
      db.enrolmentLink.count({ where: { userId, usedAt: null, voidedAt: null } }),
      db.webAuthnChallenge.count({
        where: { userId, usedAt: null, purpose: { in: ["register", "proof"] } },
      }),
    ]);
  return { sessions, activePasskeys, liveSets, usablePasses, openLinks, openCeremonies };
}

const NOTHING = {
  sessions: 0,
  activePasskeys: 0,
  liveSets: 0,
  usablePasses: 0,
  openLinks: 0,
  openCeremonies: 0,
};

async function revokedEvent(userId: string) {
  const events = await db.auditEvent.findMany({
    where: { subjectUserId: userId, action: "passkey.revoked" },
  });
  expect(events).toHaveLength(1);
  return events[0]!.data as Record<string, unknown>;
}

describe("revoke-all leaves nothing, and counts what it ended", () => {
  it("a code session with its ceremony, a pass session, passkey sessions and the live set all end; the audit counts each once", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const kase = await selfServiceCase(user.id);
    const set = await db.recoveryCodeSet.create({ data: { userId: user.id } });
    const code = await codeSession(user.id, kase.id);
    await passkeySession(user.id);
    await passkeySession(user.id);
    const result = await revokeAll(agent, user.id);
    expect(result).toEqual({ revoked: 2 });
    expect(await nothingLeft(user.id)).toEqual(NOTHING);
    expect(await db.workforceSession.findUnique({ where: { id: code.session.id } })).toBeNull();
    expect(
      (await db.webAuthnChallenge.findUniqueOrThrow({ where: { id: code.challenge.id } })).usedAt,
    ).not.toBeNull();
    expect(await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: set.id } })).toMatchObject({
      voidReason: "all passkeys revoked (lost)",
    });
    // Every session that ended is counted once: the two passkey sessions (the revocation's
    // statement) and the code's (voidRecovery's).
    expect(await revokedEvent(user.id)).toMatchObject({
      scope: "ALL",
      revokedPasskeys: 2,
      endedSessions: 3,
      voidedPasses: 0,
      voidedLinks: 0,
      voidedApprovals: 0,
    });
    expect(await db.revocation.count({ where: { userId: user.id } })).toBe(1);
  });

  it("a real redeemed pass and an issued one: the pass's session and the passkey session are each counted once", async () => {
    const { agent, user, caseId, address, code } = await issuedPass();
    await redeemTap({ email: address, code, request: request() });
    await passkeySession(user.id);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(2);
    await revokePasskeys({
      actor: agent,
      userId: user.id,
      request: { scope: "ALL" },
      reason: "LOST",
      caseId,
    });
    expect(await nothingLeft(user.id)).toEqual(NOTHING);
    expect(await revokedEvent(user.id)).toMatchObject({ endedSessions: 2, revokedPasskeys: 1 });
    const revocations = await db.revocation.findMany({ where: { userId: user.id } });
    expect(revocations).toEqual([expect.objectContaining({ scope: "ALL", caseId })]);
  });

  it("a person with no active passkey (only a code's session and codes): revoke-all still ends the session and voids the codes", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const kase = await selfServiceCase(user.id);
    await db.recoveryCodeSet.create({ data: { userId: user.id } });
    await codeSession(user.id, kase.id);
    await passkeySession(user.id);
    expect(await revokeAll(agent, user.id)).toEqual({ revoked: 0 });
    expect(await nothingLeft(user.id)).toEqual(NOTHING);
    expect(await revokedEvent(user.id)).toMatchObject({ revokedPasskeys: 0, endedSessions: 2 });
    expect(await db.revocation.count({ where: { userId: user.id, scope: "ALL" } })).toBe(1);
  });
});

describe("revoke-all over everything recovery issued, in one statement each", () => {
  it("a usable pass, a used pass's session, a link, a step link and an approval, each with a ceremony: all voided, each counted once", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const kase = await selfServiceCase(user.id);
    const pass = (used: boolean) =>
      db.temporaryAccessPass.create({
        data: {
          userId: user.id,
          caseId: kase.id,
          codeHash: newToken(),
          maxFailures: 5,
          expiresAt: later(),
          issuedById: agent.id,
          usedAt: used ? new Date() : null,
        },
      });
    const usable = await pass(false);
    const used = await pass(true);
    const passSession = await db.workforceSession.create({
      data: {
        userId: user.id,
        tokenHash: newToken(),
        method: "tap",
        tapId: used.id,
        expiresAt: later(),
      },
    });
    const link = await db.enrolmentLink.create({
      data: {
        userId: user.id,
        caseId: kase.id,
        tokenHash: newToken(),
        revokePasskeyIds: [],
        expiresAt: later(),
      },
    });
    const step = await db.stepLink.create({
      data: {
        caseId: kase.id,
        kind: "MANAGER_CONFIRMATION",
        tokenHash: newToken(),
        sentTo: "manager@northwind.example",
        expiresAt: later(),
      },
    });
    const approval = await db.approval.create({
      data: { caseId: kase.id, requestedById: agent.id, snapshot: {}, snapshotHash: "x" },
    });
    const ceremony = (data: {
      sessionId?: string;
      enrolmentLinkId?: string;
      stepLinkId?: string;
    }) =>
      db.webAuthnChallenge.create({
        data: { challenge: newToken(), purpose: "register", expiresAt: later(), ...data },
      });
    // The pass session's ceremony is also the person's own: one row, counted once.
    const ceremonies = [
      await ceremony({ sessionId: passSession.id }),
      await ceremony({ enrolmentLinkId: link.id }),
      await ceremony({ stepLinkId: step.id }),
    ];
    await db.webAuthnChallenge.update({
      where: { id: ceremonies[0]!.id },
      data: { userId: user.id },
    });
    await passkeySession(user.id);
    const now = new Date(Date.now() - 4242);
    const voided = await inFarTimeZone((tx) =>
      voidRecovery(tx, { userId: user.id }, { reason: "probe", now, codes: true }),
    );
    expect(voided).toEqual({
      passes: 1,
      passSessions: 1,
      codeSessions: 0,
      enrolmentLinks: 1,
      stepLinks: 1,
      approvals: 1,
      challenges: 3,
    });
    expect(
      (await db.temporaryAccessPass.findUniqueOrThrow({ where: { id: usable.id } })).voidedAt,
    ).toEqual(now);
    expect((await db.enrolmentLink.findUniqueOrThrow({ where: { id: link.id } })).voidedAt).toEqual(
      now,
    );
    expect((await db.stepLink.findUniqueOrThrow({ where: { id: step.id } })).voidedAt).toEqual(now);
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
      "VOIDED",
    );
    for (const c of ceremonies)
      expect(
        (await db.webAuthnChallenge.findUniqueOrThrow({ where: { id: c.id } })).usedAt,
      ).toEqual(now);
    // Then the revocation: only the passkey session is left for its statement to end.
    await revokeAll(agent, user.id);
    expect(await nothingLeft(user.id)).toEqual(NOTHING);
    expect(await revokedEvent(user.id)).toMatchObject({
      revokedPasskeys: 1,
      endedSessions: 1,
      voidedPasses: 0,
      voidedLinks: 0,
      voidedApprovals: 0,
    });
  });
});

describe("a revoke of ONE passkey", () => {
  it("revokes that one only, names it in one Revocation, ends every session (as before) and leaves the codes and the other passkey", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 3 });
    const kase = await selfServiceCase(user.id);
    const set = await db.recoveryCodeSet.create({ data: { userId: user.id } });
    await codeSession(user.id, kase.id);
    await passkeySession(user.id);
    const [target, ...kept] = await db.passkey.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: "asc" },
    });
    expect(
      await revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ONE", passkeyId: target!.id },
        reason: "SUSPECTED_COMPROMISE",
      }),
    ).toEqual({ revoked: 1 });
    const after = await db.passkey.findMany({ where: { userId: user.id } });
    expect(after.filter((p) => p.status === "REVOKED").map((p) => p.id)).toEqual([target!.id]);
    expect(
      after
        .filter((p) => p.status === "ACTIVE")
        .map((p) => p.id)
        .sort(),
    ).toEqual(kept.map((p) => p.id).sort());
    expect(await db.revocation.findMany({ where: { userId: user.id } })).toEqual([
      expect.objectContaining({ scope: "ONE", passkeyId: target!.id, caseId: null }),
    ]);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      (await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: set.id } })).voidedAt,
    ).toBeNull();
    expect(await revokedEvent(user.id)).toMatchObject({
      scope: "ONE",
      revokedPasskeys: 1,
      endedSessions: 2,
      passkeyIds: [target!.id],
    });
    // Revoking it again is refused and changes nothing.
    await expect(
      revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ONE", passkeyId: target!.id },
        reason: "LOST",
      }),
    ).rejects.toThrow();
    expect(await db.revocation.count({ where: { userId: user.id } })).toBe(1);
  });

  it("a registration started in a passkey session cannot be finished after a revoke of one passkey", async () => {
    const agent = await actor("AGENT");
    const { user, passkey } = await userWithSoftwarePasskey();
    const token = await signInWithPasskey(user, passkey);
    const grant = { kind: "session" as const, token };
    const options = await startPasskeyRegistration({ grant });
    const stored = await db.passkey.findFirstOrThrow({
      where: { userId: user.id, status: "ACTIVE" },
    });
    await revokePasskeys({
      actor: agent,
      userId: user.id,
      request: { scope: "ONE", passkeyId: stored.id },
      reason: "SUSPECTED_COMPROMISE",
    });
    const finished = await finishPasskeyRegistration({
      grant,
      response: softwarePasskey().register(options.challenge),
    }).catch((e: unknown) => e);
    expect(finished).toBeInstanceOf(DomainError);
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
  });

  it("cannot name another person's passkey", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const other = await createWorkforceUser(db, { passkeys: 1 });
    await expect(
      revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ONE", passkeyId: other.passkeys[0]!.id },
        reason: "LOST",
      }),
    ).rejects.toThrow();
    expect(await db.passkey.count({ where: { userId: other.id, status: "ACTIVE" } })).toBe(1);
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
  });
});

describe("instants written from a session far from UTC", () => {
  it("the leaver's revoke-all inside a unit of work writes every instant as the instant", async () => {
    const staff = await actor("SECURITY");
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const kase = await selfServiceCase(user.id);
    const set = await db.recoveryCodeSet.create({ data: { userId: user.id } });
    const code = await codeSession(user.id, kase.id);
    const now = new Date(Date.now() - 7777);
    const before = Date.now();
    const stopped = await inFarTimeZone((tx) =>
      revokeAllWithinUnit(tx, {
        userId: user.id,
        now,
        actor: { type: "STAFF", id: staff.id, name: staff.name, role: "SECURITY" },
        actorId: staff.id,
        reason: "LEAVER",
      }),
    );
    const after = Date.now();
    // The code's session, ended by voiding, is the only session the person had.
    expect(stopped).toMatchObject({ revoked: 2, endedSessions: 1 });
    for (const passkey of await db.passkey.findMany({ where: { userId: user.id } }))
      expect(passkey).toMatchObject({ status: "REVOKED", revokedAt: now, revokedById: staff.id });
    expect(
      (await db.revocation.findFirstOrThrow({ where: { userId: user.id } })).createdAt,
    ).toEqual(now);
    expect(
      (await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: set.id } })).voidedAt,
    ).toEqual(now);
    expect(
      (await db.webAuthnChallenge.findUniqueOrThrow({ where: { id: code.challenge.id } })).usedAt,
    ).toEqual(now);
    const outbox = await db.outboxMessage.findMany({ where: { subjectUserId: user.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(outbox[0]!.createdAt.getTime()).toBeLessThanOrEqual(after);
  });
});

describe("odd values", () => {
  it("enqueueMessages keeps every address byte for byte, in order, duplicates and all, and many of them", async () => {
    const user = await createWorkforceUser(db, {});
    const stamp = randomUUID().slice(0, 8);
    const odd = [
      `o'brien-${stamp}@example.org`,
      `"quoted, name"-${stamp}@example.org`,
      `back\\slash-${stamp}@example.org`,
      `{braces}-${stamp}@example.org`,
      `NULL`,
      `'); DELETE FROM "OutboxMessage"; --${stamp}`,
      `dup-${stamp}@example.org`,
      `dup-${stamp}@example.org`,
      `  spaced-${stamp}@example.org  `,
      `ünïcødé-${stamp}@exämple.org`,
    ];
    const many = Array.from({ length: 400 }, (_, i) => `bulk-${i}-${stamp}@example.org`);
    const to = [...odd, ...many];
    const message = passkeysRevokedNotice({
      name: "O'Brien",
      count: 1,
      all: false,
      reason: "Lost",
    });
    const others = await db.outboxMessage.count();
    await inFarTimeZone((tx) => enqueueMessages(tx, { to, message, subjectUserId: user.id }));
    const rows = await db.outboxMessage.findMany({ where: { subjectUserId: user.id } });
    expect(rows).toHaveLength(to.length);
    expect(rows.map((row) => row.toAddress).sort()).toEqual([...to].sort());
    expect(new Set(rows.map((row) => row.body)).size).toBe(to.length);
    for (const row of rows) expect(unseal(row.body)).toBe(message.body);
    expect(await db.outboxMessage.count()).toBe(others + to.length);
  });

  it("a revocation reason outside the list (with SQL in it) is refused and changes nothing", async () => {
    const user = await createWorkforceUser(db, { passkeys: 1 });
    await passkeySession(user.id);
    await expect(
      revokePasskeys({
        actor: await actor("AGENT"),
        userId: user.id,
        request: { scope: "ALL" },
        reason: `LOST"; DELETE FROM "WorkforceSession"; --` as "LOST",
      }),
    ).rejects.toThrow();
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.revocation.count({ where: { userId: user.id } })).toBe(0);
  });

  it("a reason with quotes and SQL is stored as written by voidRecovery (passes, links, approvals, codes)", async () => {
    const user = await createWorkforceUser(db, {});
    const reason = `it's "odd"; DROP TABLE "Passkey"; -- \\ ${"x".repeat(300)}`;
    const set = await db.recoveryCodeSet.create({ data: { userId: user.id } });
    const now = new Date(Date.now() - 1234);
    await inFarTimeZone((tx) =>
      voidRecovery(tx, { userId: user.id }, { reason, now, codes: true }),
    );
    expect(await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: set.id } })).toMatchObject({
      voidedAt: now,
      voidReason: reason.slice(0, 200),
    });
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
  });
});

describe("a whole-person stop through HR and SCIM", () => {
  it("HR marks the person a leaver: the real code session, the codes and every session end", async () => {
    const { user, codes } = await personWithCodes();
    await redeemCode(user, codes[0]!);
    expect(await db.workforceSession.count({ where: { userId: user.id, method: "code" } })).toBe(1);
    await changeEmploymentStatus({
      actor: { type: "SYSTEM", name: "HR feed" },
      userId: user.id,
      status: "LEFT",
      leavingOn: new Date(Date.now() - 60_000),
    });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.recoveryCodeSet.count({
        where: { userId: user.id, voidedAt: null, replacedAt: null },
      }),
    ).toBe(0);
    await expect(redeemCode(user, codes[1]!)).rejects.toThrow();
  });

  it("SCIM deactivates the person: passkeys revoked, the code session and codes gone, counted once", async () => {
    const token = await scimToken();
    const { user, codes } = await personWithCodes();
    await redeemCode(user, codes[0]!);
    const status = await scimDeactivate(token, user.id);
    expect(status).toBe(200);
    expect(await nothingLeft(user.id)).toEqual(NOTHING);
    // The passkey session of personWithCodes (the revocation's statement) and the code's
    // (voiding): each counted once, in both events.
    expect(await revokedEvent(user.id)).toMatchObject({
      scope: "ALL",
      reason: "LEAVER",
      revokedPasskeys: 1,
      endedSessions: 2,
    });
    const left = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "workforce.status_changed" },
    });
    expect(left.data).toMatchObject({ to: "LEFT", endedSessions: 2 });
    await expect(redeemCode(user, codes[1]!)).rejects.toThrow();
  });
});

describe("races: a stop against what opens a way in", () => {
  it("revoke-all against redeeming a recovery code: no code session survives, the set is void", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agent = await actor("AGENT");
      const { user, codes } = await personWithCodes();
      await race(revokeAll(agent, user.id), redeemCode(user, codes[round]!));
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
      await expect(redeemCode(user, codes[9]!)).rejects.toThrow();
    }
  });

  it("an HR suspension against redeeming a code: no code session survives, the set is void", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user, codes } = await personWithCodes();
      await race(
        changeEmploymentStatus({
          actor: { type: "SYSTEM", name: "HR feed" },
          userId: user.id,
          status: "SUSPENDED",
        }),
        redeemCode(user, codes[round]!),
      );
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      expect(
        await db.recoveryCodeSet.count({
          where: { userId: user.id, voidedAt: null, replacedAt: null },
        }),
      ).toBe(0);
    }
  });

  it("the SCIM leaver against redeeming a code: no code session survives, the set is void", async () => {
    const token = await scimToken();
    for (let round = 0; round < ROUNDS; round++) {
      const { user, codes } = await personWithCodes();
      const [deactivated] = await Promise.all([
        scimDeactivate(token, user.id),
        redeemCode(user, codes[round]!).catch((e: unknown) => {
          expect(e).toBeInstanceOf(DomainError);
        }),
      ]);
      expect(deactivated).toBe(200);
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
    }
  });

  it("two revokes of the same passkey at once: one Revocation, one passkey revoked, the other refused", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await createWorkforceUser(db, { passkeys: 2 });
      const target = user.passkeys[0]!;
      const one = async () =>
        revokePasskeys({
          actor: await actor("AGENT"),
          userId: user.id,
          request: { scope: "ONE", passkeyId: target.id },
          reason: "LOST",
        });
      const outcomes = await race(one(), one());
      expect(outcomes.sort()).toEqual(["fulfilled", "rejected"]);
      expect(await db.revocation.count({ where: { userId: user.id } })).toBe(1);
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
      expect(await revokedEvent(user.id)).toMatchObject({ revokedPasskeys: 1 });
    }
  });

  it("two confirmed revoke-alls at once: the second sees the change and is refused; one Revocation", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await createWorkforceUser(db, { passkeys: 2 });
      const confirmedPasskeyIds = user.passkeys.map((p) => p.id);
      const all = async () =>
        revokePasskeys({
          actor: await actor("AGENT"),
          userId: user.id,
          request: { scope: "ALL", confirmedPasskeyIds },
          reason: "LOST",
        });
      const outcomes = await race(all(), all());
      expect(outcomes.sort()).toEqual(["fulfilled", "rejected"]);
      expect(await db.revocation.count({ where: { userId: user.id } })).toBe(1);
      expect(await revokedEvent(user.id)).toMatchObject({ revokedPasskeys: 2 });
      expect(await db.outboxMessage.count({ where: { subjectUserId: user.id } })).toBe(1);
    }
  });

  it("revoke-all against making a new set of codes: no live set survives", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agent = await actor("AGENT");
      const { user, token } = await personWithCodes();
      await race(revokeAll(agent, user.id), generateRecoveryCodes({ token }));
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
    }
  });

  it("revoke-all against starting a registration in a passkey session: the ceremony can never finish", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agent = await actor("AGENT");
      const { user, token } = await personWithCodes();
      const grant = { kind: "session" as const, token };
      const [, started] = await Promise.allSettled([
        revokeAll(agent, user.id),
        startPasskeyRegistration({ grant }),
      ]);
      if (started.status === "fulfilled") {
        const finished = await finishPasskeyRegistration({
          grant,
          response: softwarePasskey().register(started.value.challenge),
        }).catch((e: unknown) => e);
        expect(finished).toBeInstanceOf(DomainError);
      } else expect(started.reason).toBeInstanceOf(DomainError);
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    }
  });

  it("a revoke of one against a revoke-all: every passkey revoked once, the audit counts add up to the passkeys", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await createWorkforceUser(db, { passkeys: 3 });
      await race(
        revokePasskeys({
          actor: await actor("AGENT"),
          userId: user.id,
          request: { scope: "ONE", passkeyId: user.passkeys[1]!.id },
          reason: "SUSPECTED_COMPROMISE",
        }),
        revokePasskeys({
          actor: await actor("AGENT"),
          userId: user.id,
          request: { scope: "ALL" },
          reason: "LOST",
        }),
      );
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
      const events = await db.auditEvent.findMany({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      });
      const counted = events.reduce(
        (sum, event) => sum + ((event.data as { revokedPasskeys: number }).revokedPasskeys ?? 0),
        0,
      );
      expect(counted).toBe(3);
      expect(await db.revocation.count({ where: { userId: user.id } })).toBe(events.length);
    }
  });

  it("revoke-all against finishing an enrolment through a link: no active passkey, and the link counted iff it was voided", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user } = await userWithManager({ passkeys: 2 });
      const { agent, caseId } = await verifiedStandardCase({ userId: user.id });
      expect(
        await requestReenrolment({
          actor: agent,
          caseId,
          revokePasskeyIds: [user.passkeys[0]!.id],
        }),
      ).toMatchObject({ status: "link_sent" });
      const address = user.emails[0]!.address;
      const grant = {
        kind: "link" as const,
        token: linkToken((await messageOfKind(address, "enrolment.link", caseId)).text, "enrol"),
      };
      const options = await startPasskeyRegistration({ grant });
      await race(
        revokePasskeys({
          actor: agent,
          userId: user.id,
          request: { scope: "ALL" },
          reason: "LOST",
          caseId,
        }),
        finishPasskeyRegistration({
          grant,
          response: softwarePasskey().register(options.challenge),
        }),
      );
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
      const link = await db.enrolmentLink.findFirstOrThrow({ where: { caseId } });
      expect(link.usedAt === null).toBe(link.voidedAt !== null);
      expect(await revokedEvent(user.id)).toMatchObject({ voidedLinks: link.voidedAt ? 1 : 0 });
    }
  });

  it("revoke-all against redeeming a pass: no pass session survives", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { agent, user, address, code } = await issuedPass();
      await race(
        revokeAll(agent, user.id),
        redeemTap({ email: address, code, request: request() }),
      );
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
    }
  });

  it("revoke-all against a passkey sign-in: no session survives, the passkey is revoked", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agent = await actor("AGENT");
      const { user, passkey } = await userWithSoftwarePasskey();
      const options = await startWorkforceSignIn();
      const response = passkey.authenticate(options.challenge, user.webauthnUserId);
      await race(revokeAll(agent, user.id), finishWorkforceSignIn({ response }));
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
    }
  });

  it("revoking ONE passkey against a sign-in with it: no session survives", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agent = await actor("AGENT");
      const { user, passkey } = await userWithSoftwarePasskey();
      const stored = await db.passkey.findFirstOrThrow({
        where: { userId: user.id, status: "ACTIVE" },
      });
      const options = await startWorkforceSignIn();
      const response = passkey.authenticate(options.challenge, user.webauthnUserId);
      await race(
        revokePasskeys({
          actor: agent,
          userId: user.id,
          request: { scope: "ONE", passkeyId: stored.id },
          reason: "LOST",
        }),
        finishWorkforceSignIn({ response }),
      );
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      expect((await db.passkey.findUniqueOrThrow({ where: { id: stored.id } })).status).toBe(
        "REVOKED",
      );
    }
  });

  it("revoke-all against a code session finishing its enrolment: no active passkey, no session survives", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agent = await actor("AGENT");
      const { user, codes } = await personWithCodes();
      const session = await redeemCode(user, codes[0]!);
      const grant = { kind: "session" as const, token: session.token };
      const options = await startPasskeyRegistration({ grant });
      const fresh = softwarePasskey();
      await race(
        revokeAll(agent, user.id),
        finishPasskeyRegistration({ grant, response: fresh.register(options.challenge) }),
      );
      expect(await nothingLeft(user.id)).toEqual(NOTHING);
    }
  });
});
