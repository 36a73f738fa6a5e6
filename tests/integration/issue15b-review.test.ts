/**
 * Attacker's review of saved recovery codes (issue 15, part B; docs/decisions/037), against
 * PostgreSQL with real passkey sign-ins and registrations (tests/software-authenticator.ts): a
 * code session enrolling two passkeys (in parallel, and again after the first), a code session
 * doing what only a passkey session may do on /account, what survives a stop ("this wasn't me"
 * on an account-change notice, a failed check on the person's desk case), marking someone
 * else's passkey lost, and the code never reaching the trail.
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

const { DomainError } = await import("@/lib/domain/errors");
const { normalizeRecoveryCode } = await import("@/lib/domain/recovery-codes");
const { db } = await import("@/tests/db");
const { createWorkforceUser } = await import("@/tests/factories");
const { actor, linkToken, messageOfKind, signInWithPasskey, userWithSoftwarePasskey } =
  await import("@/tests/recovery");
const { softwarePasskey } = await import("@/tests/software-authenticator");
const { renamePasskey, signOutEverywhere } = await import("@/lib/server/account-changes");
const { finishPasskeyRegistration } = await import("@/lib/server/finish-passkey-registration");
const { openCase } = await import("@/lib/server/open-case");
const { clearHold } = await import("@/lib/server/cases/clear-hold");
const { transferCase } = await import("@/lib/server/cases/transfer-case");
const { issueTap } = await import("@/lib/server/issue-tap");
const { redeemedPassSession } = await import("@/tests/recovery");
const { raiseRedFlag } = await import("@/lib/server/raise-red-flag");
const { recordStep } = await import("@/lib/server/record-step");
const { repudiateRecovery } = await import("@/lib/server/repudiate-recovery");
const { startPasskeyRegistration } = await import("@/lib/server/start-passkey-registration");
const { generateRecoveryCodes, getRecoveryCodeSummary, markPasskeysLost, redeemRecoveryCode } =
  await import("@/lib/server/recovery-codes");

const request = () => ({
  requestId: randomUUID(),
  ip: `203.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
});

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as InstanceType<typeof DomainError>;
}

/** A person with a real passkey, signed in with it (fresh), whose first recovery was days ago. */
async function signedIn() {
  const { user, passkey } = await userWithSoftwarePasskey();
  await db.recoveryCase.updateMany({
    where: { userId: user.id },
    data: { createdAt: new Date(Date.now() - 3 * 24 * 3600_000) },
  });
  const token = await signInWithPasskey(user, passkey);
  return { user, passkey, token, address: user.emails[0]!.address };
}

/** A person with a live set of codes and a session that one of them opened. */
async function codeSession() {
  const person = await signedIn();
  const { codes } = await generateRecoveryCodes({ token: person.token });
  const session = await redeemRecoveryCode({
    identity: person.user.employeeId,
    code: codes[0]!,
    request: request(),
  });
  return { ...person, codes, session };
}

/** Everything that a refusal must leave as it was. */
async function snapshot(userId: string) {
  const [passkeys, sessions, sets, codes, cases] = await Promise.all([
    db.passkey.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    db.workforceSession.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    db.recoveryCodeSet.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    db.recoveryCode.findMany({ where: { set: { userId } }, orderBy: { id: "asc" } }),
    db.recoveryCase.findMany({ where: { userId }, orderBy: { id: "asc" } }),
  ]);
  return { passkeys, sessions, sets, codes, cases };
}

describe("a code session enrols one passkey, and only that", () => {
  it("two registrations started in parallel: exactly one passkey is written", async () => {
    const { user, session } = await codeSession();
    const grant = { kind: "session" as const, token: session.token };
    const [first, second] = await Promise.all([
      startPasskeyRegistration({ grant }),
      startPasskeyRegistration({ grant }),
    ]);
    const a = softwarePasskey();
    const b = softwarePasskey();
    const results = await Promise.allSettled([
      finishPasskeyRegistration({ grant, response: a.register(first.challenge) }),
      finishPasskeyRegistration({ grant, response: b.register(second.challenge) }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(DomainError);
    expect(
      await db.passkey.count({
        where: { userId: user.id, credentialId: { in: [a.id, b.id] } },
      }),
    ).toBe(1);
    expect(
      await db.auditEvent.count({ where: { caseId: session.caseId, action: "passkey.enrolled" } }),
    ).toBe(1);
    expect(await db.workforceSession.count({ where: { method: "code", userId: user.id } })).toBe(0);
  });

  it("a second start after the first finish is refused: the session is gone", async () => {
    const { user, session } = await codeSession();
    const grant = { kind: "session" as const, token: session.token };
    const options = await startPasskeyRegistration({ grant });
    await finishPasskeyRegistration({
      grant,
      response: softwarePasskey().register(options.challenge),
    });
    const before = await db.passkey.count({ where: { userId: user.id } });
    await refused(startPasskeyRegistration({ grant }));
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(before);
    // Nor can it mark passkeys lost any more (the owner's first passkey stays).
    const owners = await db.passkey.findFirstOrThrow({
      where: { userId: user.id, status: "ACTIVE" },
      orderBy: { createdAt: "asc" },
    });
    await refused(markPasskeysLost({ token: session.token, passkeyIds: [owners.id] }));
    expect((await db.passkey.findUniqueOrThrow({ where: { id: owners.id } })).status).toBe(
      "ACTIVE",
    );
  });

  it("cannot do on /account what a passkey session does: new codes, rename, sign out everywhere", async () => {
    const { user, session } = await codeSession();
    const passkeyId = (await db.passkey.findFirstOrThrow({ where: { userId: user.id } })).id;
    const before = await snapshot(user.id);
    const auditsBefore = await db.auditEvent.count({ where: { subjectUserId: user.id } });
    expect((await refused(generateRecoveryCodes({ token: session.token }))).code).toBe(
      "UNAUTHENTICATED",
    );
    expect(
      (await refused(renamePasskey({ token: session.token, passkeyId, nickname: "Mine now" })))
        .code,
    ).toBe("UNAUTHENTICATED");
    expect((await refused(signOutEverywhere({ token: session.token }))).code).toBe(
      "UNAUTHENTICATED",
    );
    expect(await snapshot(user.id)).toEqual(before);
    // Each refusal audited exactly once.
    expect(await db.auditEvent.count({ where: { subjectUserId: user.id } })).toBe(auditsBefore + 3);
  });

  it("cannot mark another person's passkey lost: refused, audited once, nothing changed", async () => {
    const { user, session } = await codeSession();
    const other = await createWorkforceUser(db, { passkeys: 1 });
    const theirs = (await db.passkey.findFirstOrThrow({ where: { userId: other.id } })).id;
    const mine = (await db.passkey.findFirstOrThrow({ where: { userId: user.id } })).id;
    const before = [await snapshot(user.id), await snapshot(other.id)];
    const auditsBefore = await db.auditEvent.count({ where: { subjectUserId: user.id } });
    await refused(markPasskeysLost({ token: session.token, passkeyIds: [mine, theirs] }));
    expect([await snapshot(user.id), await snapshot(other.id)]).toEqual(before);
    expect(await db.auditEvent.count({ where: { subjectUserId: user.id } })).toBe(auditsBefore + 1);
    expect(await db.auditEvent.count({ where: { subjectUserId: other.id } })).toBe(0);
  });

  it("the same code from two clients at once opens one session; no code reaches the trail", async () => {
    const person = await signedIn();
    const { codes } = await generateRecoveryCodes({ token: person.token });
    const results = await Promise.allSettled(
      [0, 1, 2].map(() =>
        redeemRecoveryCode({ identity: person.address, code: codes[5]!, request: request() }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(
      await db.workforceSession.count({ where: { userId: person.user.id, method: "code" } }),
    ).toBe(1);
    const rows = await db.auditEvent.findMany({ where: { subjectUserId: person.user.id } });
    expect(rows.filter((row) => row.action === "codes.redeemed")).toHaveLength(1);
    expect(rows.filter((row) => row.action === "codes.redeem_refused")).toHaveLength(2);
    const trail = JSON.stringify(rows.map((row) => [row.action, row.reason, row.data]));
    for (const code of codes) {
      expect(trail).not.toContain(normalizeRecoveryCode(code));
      expect(trail).not.toContain(code);
    }
  });
});

describe("what a stop leaves of the codes", () => {
  // HOLE: docs/decisions/037 ("Residual risks"): "'this wasn't me' on any later notice and
  // revoke-all void them". repudiateAccountChange (lib/server/repudiate-account-change.ts) calls
  // voidRecovery but never voidRecoveryCodes: an intruder holding a synced passkey makes a set
  // (its notice has no link), then changes something on /account; the owner answers "this wasn't
  // me" and the intruder's codes stay live, usable the moment the hold is cleared.
  it("'this wasn't me' on an account-change notice voids the live set of codes", async () => {
    const { user, passkey, address } = await signedIn();
    const intruder = await signInWithPasskey(user, passkey);
    const { codes } = await generateRecoveryCodes({ token: intruder });
    await signOutEverywhere({ token: intruder });
    const link = linkToken((await messageOfKind(address, "account.changed")).text, "report");
    expect(await repudiateRecovery({ token: link })).toBe("change");
    expect(await db.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })).toBe(1);

    // The set should be void now, as with "this wasn't me" on a recovery or a passkey added.
    const live = await getRecoveryCodeSummary(user.id);
    // What it leads to: a supervisor reviews the report and clears the hold (the person's passkeys
    // look fine), and the intruder's code recovers the account without a call.
    await clearHold({
      actor: await actor("SUPERVISOR"),
      userId: user.id,
      note: "Reviewed the report with the person; passkeys checked",
    });
    const used = await redeemRecoveryCode({
      identity: user.employeeId,
      code: codes[0]!,
      request: request(),
    }).catch((e: unknown) => e);
    expect(used).toBeInstanceOf(DomainError);
    expect(live).toBeNull();
  });

  // HOLE: a failed check on the person's desk case is a stop on every recovery of the person in
  // the window (decision 013, "a stop on one call stops all of them"), and registering through
  // the code session is refused for it (decideCodeRecovery reads the person's facts). But
  // record-step.ts voids only that case ({ caseId }), so the code session on the self-service
  // case lives on, and markPasskeysLost (lib/server/recovery-codes.ts) checks neither the case's
  // facts nor a stop: whoever used the code can still revoke the owner's passkeys.
  it("after a failed check on the person's desk case, the code session cannot mark passkeys lost", async () => {
    const { user, session } = await codeSession();
    const agent = await actor("AGENT");
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    await recordStep({
      actor: agent,
      caseId,
      kind: "CALLBACK",
      outcome: "FAILED",
      note: "The person of record did not ask for this",
    });
    // Registration holds: the person's facts show the failed check.
    const grant = { kind: "session" as const, token: session.token };
    const attempt = await startPasskeyRegistration({ grant })
      .then((options) =>
        finishPasskeyRegistration({
          grant,
          response: softwarePasskey().register(options.challenge),
        }),
      )
      .catch((e: unknown) => e);
    expect(attempt).toBeInstanceOf(DomainError);
    // Marking the owner's passkeys lost must hold too.
    const owners = (
      await db.passkey.findFirstOrThrow({ where: { userId: user.id, status: "ACTIVE" } })
    ).id;
    const before = await snapshot(user.id);
    await refused(markPasskeysLost({ token: session.token, passkeyIds: [owners] }));
    expect((await db.passkey.findUniqueOrThrow({ where: { id: owners } })).status).toBe("ACTIVE");
    expect((await snapshot(user.id)).passkeys).toEqual(before.passkeys);
  });

  // HOLE (same cause as above): a tier changed to one that may not use codes (frontline here,
  // as an HR or SCIM update writes it) needs no second person, so no stop ends the code session;
  // registering is refused on the tier now, marking passkeys lost is not.
  it("after the person's tier changes to one kept from codes, the code session cannot mark passkeys lost", async () => {
    const { user, session } = await codeSession();
    await db.workforceUser.update({ where: { id: user.id }, data: { riskTier: "FRONTLINE" } });
    const owners = (
      await db.passkey.findFirstOrThrow({ where: { userId: user.id, status: "ACTIVE" } })
    ).id;
    await refused(markPasskeysLost({ token: session.token, passkeyIds: [owners] }));
    expect((await db.passkey.findUniqueOrThrow({ where: { id: owners } })).status).toBe("ACTIVE");
  });

  it("a red flag on the person's desk case ends the code session in flight", async () => {
    const { user, session } = await codeSession();
    const agent = await actor("AGENT");
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    await raiseRedFlag({ actor: agent, caseId, kind: "DETAILS_MISMATCH", note: "wrong manager" });
    expect(await db.workforceSession.count({ where: { method: "code", userId: user.id } })).toBe(0);
    await refused(startPasskeyRegistration({ grant: { kind: "session", token: session.token } }));
    const owners = (
      await db.passkey.findFirstOrThrow({ where: { userId: user.id, status: "ACTIVE" } })
    ).id;
    await refused(markPasskeysLost({ token: session.token, passkeyIds: [owners] }));
    expect((await db.passkey.findUniqueOrThrow({ where: { id: owners } })).status).toBe("ACTIVE");
  });

  it("a second code while the first one's session lives is a repeat call: refused, code unused", async () => {
    const { user, codes } = await codeSession();
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[1]!, request: request() }),
    );
    expect(error.code).toBe("APPROVAL_REQUIRED");
    expect(await db.workforceSession.count({ where: { method: "code", userId: user.id } })).toBe(1);
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(1);
  });

  it("no codes are made while the person is on hold: refused, audited once", async () => {
    const { user, token } = await signedIn();
    await db.recoveryHold.create({ data: { userId: user.id, reason: "review" } });
    const auditsBefore = await db.auditEvent.count({ where: { subjectUserId: user.id } });
    await refused(generateRecoveryCodes({ token }));
    expect(await db.recoveryCodeSet.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { subjectUserId: user.id } })).toBe(auditsBefore + 1);
  });

  it("a leaver (HR feed): the code session ends and the set is void", async () => {
    const { user, session, codes } = await codeSession();
    const { changeEmploymentStatus } = await import("@/lib/server/cases/change-employment-status");
    await changeEmploymentStatus({
      actor: { type: "SYSTEM", name: "HR feed" },
      userId: user.id,
      status: "LEFT",
      leavingOn: new Date(),
    });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    await refused(startPasskeyRegistration({ grant: { kind: "session", token: session.token } }));
    await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[1]!, request: request() }),
    );
    expect(await getRecoveryCodeSummary(user.id)).toBeNull();
  });
});

describe("who may do what with codes and their case", () => {
  it("the self-service case is no desk case: no agent issues a pass on it, no supervisor takes it", async () => {
    const { user, session } = await codeSession();
    const before = await snapshot(user.id);
    const agent = await actor("AGENT");
    await refused(
      issueTap({ actor: agent, caseId: session.caseId, lifetimeMinutes: 60, multiUse: false }),
    );
    await refused(
      transferCase({
        actor: await actor("SUPERVISOR"),
        caseId: session.caseId,
        team: agent.team!,
        note: "Ours now",
      }),
    );
    expect(await snapshot(user.id)).toEqual(before);
    expect(await db.temporaryAccessPass.count({ where: { caseId: session.caseId } })).toBe(0);
  });

  it("a pass's session cannot make codes; refused, audited once, nothing made", async () => {
    const { user, token } = await redeemedPassSession();
    const auditsBefore = await db.auditEvent.count({ where: { subjectUserId: user.id } });
    expect((await refused(generateRecoveryCodes({ token }))).code).toBe("UNAUTHENTICATED");
    expect(await db.recoveryCodeSet.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "codes.generate_refused" },
      }),
    ).toBe(1);
    expect(await db.auditEvent.count({ where: { subjectUserId: user.id } })).toBe(auditsBefore + 1);
  });

  it("an unknown person and a wrong code get one answer; the unknown name is never audited", async () => {
    const { user, codes } = await codeSession();
    const stranger = `nobody-${randomUUID()}@northwind.example`;
    const unknown = await refused(
      redeemRecoveryCode({ identity: stranger, code: codes[2]!, request: request() }),
    );
    const wrong = await refused(
      redeemRecoveryCode({
        identity: user.employeeId.toLowerCase(),
        code: "0000-0000-0000-0000-0000-0000",
        request: request(),
      }),
    );
    const used = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: request() }),
    );
    expect(unknown.code).toBe(wrong.code);
    expect(unknown.userMessage).toBe(wrong.userMessage);
    expect(used.userMessage).toBe(wrong.userMessage);
    const rows = await db.auditEvent.findMany({
      where: { action: "codes.redeem_refused" },
      select: { data: true, subjectUserId: true },
    });
    expect(JSON.stringify(rows)).not.toContain(stranger);
  });
});
