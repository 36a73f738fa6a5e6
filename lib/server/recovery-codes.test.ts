/**
 * Saved recovery codes (issue 15, part B; docs/decisions/037), end to end against PostgreSQL:
 * real passkey sign-ins and registrations with a software authenticator, the real unit of work.
 */
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  // Budgets out of the way except the per-account one, small enough to reach here.
  process.env.RATE_LIMITS = [
    "anonymous.client=100000/60",
    "redeem.client=100000/60",
    "redeem.clientAccount=100000/60",
    "link.client=100000/60",
    "sso.client=100000/60",
    "signIn.client=100000/60",
    "signIn.account=100000/60",
    "recoveryCode.client=8/600",
    "recoveryCode.account=6/600",
  ].join(",");
});

const { DomainError } = await import("@/lib/domain/errors");
const { normalizeRecoveryCode, TIER_REFUSES_CODES } = await import("@/lib/domain/recovery-codes");
const { db } = await import("@/tests/db");
const { createWorkforceUser } = await import("@/tests/factories");
const { actor, linkToken, messageOfKind, userWithSoftwarePasskey, verifiedStandardCase } =
  await import("@/tests/recovery");
const { softwarePasskey } = await import("@/tests/software-authenticator");
const { changeEmploymentStatus } = await import("./cases/change-employment-status");
const { finishPasskeyRegistration } = await import("./finish-passkey-registration");
const { raiseRedFlag } = await import("./raise-red-flag");
const { revokePasskeys } = await import("./revoke-passkeys");
const { hashToken } = await import("./secrets");
const { startPasskeyRegistration } = await import("./start-passkey-registration");
const { finishWorkforceSignIn, startWorkforceSignIn } = await import("./workforce-sign-in");
const { CODE_NOT_VALID, generateRecoveryCodes, getRecoveryCodeSummary, markPasskeysLost } =
  await import("./recovery-codes");
const { redeemRecoveryCode } = await import("./recovery-codes");
const { answerManagerConfirmation } = await import("./answer-manager-confirmation");
const { openCase } = await import("./open-case");
const { sendStepLink } = await import("./send-step-link");
const { lastMessageTo } = await import("@/tests/recovery");

const from = (ip: string) => ({ requestId: `req-${ip}`, ip });
let nextIp = 1;
const freshClient = () => from(`198.51.100.${nextIp++}`);

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as InstanceType<typeof DomainError>;
}

/**
 * A person holding a real passkey, signed in with it (freshly verified), whose first recovery
 * (the one that set the passkey up) was days ago: so a code is not a repeat call.
 */
async function signedIn(tier?: "CONTRACTOR" | "FRONTLINE") {
  const { user, passkey } = await userWithSoftwarePasskey();
  await db.recoveryCase.updateMany({
    where: { userId: user.id },
    data: { createdAt: new Date(Date.now() - 3 * 24 * 3600_000) },
  });
  if (tier) await db.workforceUser.update({ where: { id: user.id }, data: { riskTier: tier } });
  const options = await startWorkforceSignIn();
  const { token } = await finishWorkforceSignIn({
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
  });
  return { user, passkey, token, address: user.emails[0]!.address };
}

async function withCodes(tier?: "CONTRACTOR") {
  const person = await signedIn(tier);
  const { codes } = await generateRecoveryCodes({ token: person.token });
  return { ...person, codes };
}

describe("making recovery codes", () => {
  it("makes a set of 10 readable 120-bit codes, shown once, stored hashed, audited and told", async () => {
    const { user, token, address } = await signedIn();
    const { codes } = await generateRecoveryCodes({ token });

    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes)
      expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
    const stored = await db.recoveryCode.findMany({ where: { set: { userId: user.id } } });
    expect(stored.map((row) => row.codeHash).sort()).toEqual(
      codes.map((code) => hashToken(normalizeRecoveryCode(code)!)).sort(),
    );
    // Nowhere in the trail or the mail.
    const rows = await db.auditEvent.findMany({ where: { subjectUserId: user.id } });
    const mail = await messageOfKind(address, "codes.generated");
    for (const code of codes) {
      expect(JSON.stringify(rows.map((row) => row.data))).not.toContain(
        normalizeRecoveryCode(code),
      );
      expect(mail.text).not.toContain(code);
    }
    expect(rows.find((row) => row.action === "codes.generated")).toMatchObject({
      outcome: "ALLOWED",
      actorType: "WORKFORCE_USER",
      actorId: user.id,
      data: { codes: 10, replaced: false },
    });
    expect(await getRecoveryCodeSummary(user.id)).toMatchObject({ left: 10, total: 10 });
    // One fresh verification, one set.
    expect((await refused(generateRecoveryCodes({ token }))).userMessage).toMatch(
      /Confirm it's you first/,
    );
  });

  it("is refused, audited, for a tier the policy keeps from codes", async () => {
    const { user, token } = await signedIn("FRONTLINE");
    const error = await refused(generateRecoveryCodes({ token }));
    expect(error.userMessage).toBe(TIER_REFUSES_CODES);
    expect(await db.recoveryCodeSet.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "codes.generate_refused" },
      }),
    ).toMatchObject({ outcome: "REFUSED", reason: "FORBIDDEN" });
  });

  it("replaces the old set with a new one: the old codes stop working", async () => {
    const { user, passkey, codes: first } = await withCodes("CONTRACTOR");
    const options = await startWorkforceSignIn();
    const { token } = await finishWorkforceSignIn({
      response: passkey.authenticate(options.challenge, user.webauthnUserId),
    });
    const { codes: second } = await generateRecoveryCodes({ token });

    const sets = await db.recoveryCodeSet.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: "asc" },
    });
    expect(sets).toHaveLength(2);
    expect(sets[0]!.replacedAt).not.toBeNull();
    expect(sets[1]!.replacedAt).toBeNull();
    const identity = user.employeeId;
    expect(
      (await refused(redeemRecoveryCode({ identity, code: first[0]!, request: freshClient() })))
        .userMessage,
    ).toBe(CODE_NOT_VALID);
    await redeemRecoveryCode({ identity, code: second[0]!, request: freshClient() });
  });
});

describe("using a recovery code", () => {
  it("opens a self-service case and a session that enrols one passkey; the code works once", async () => {
    const { user, address, codes } = await withCodes();
    const session = await redeemRecoveryCode({
      identity: address.toUpperCase(),
      code: codes[3]!.toLowerCase().replace(/-/g, " "),
      request: freshClient(),
    });

    const kase = await db.recoveryCase.findUniqueOrThrow({ where: { id: session.caseId } });
    expect(kase).toMatchObject({
      userId: user.id,
      agentId: null,
      channel: "SELF_SERVICE",
      reason: "LOST_DEVICE",
      status: "FACTOR_ISSUED",
      policyVersion: 3,
    });
    expect(
      await db.workforceSession.findUniqueOrThrow({
        where: { tokenHash: hashToken(session.token) },
      }),
    ).toMatchObject({ method: "code", caseId: kase.id, userId: user.id });
    const notice = await messageOfKind(address, "codes.redeemed", kase.id);
    expect(notice.text).toContain("9 left");
    linkToken(notice.text, "report");
    expect(await getRecoveryCodeSummary(user.id)).toMatchObject({ left: 9, total: 10 });

    // The session enrols one passkey, like a pass's.
    const grant = { kind: "session" as const, token: session.token };
    const options = await startPasskeyRegistration({ grant });
    const added = softwarePasskey();
    await finishPasskeyRegistration({ grant, response: added.register(options.challenge) });
    expect(await db.passkey.findUniqueOrThrow({ where: { credentialId: added.id } })).toMatchObject(
      { userId: user.id, status: "ACTIVE" },
    );
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe(
      "REENROLLED",
    );
    expect(await db.workforceSession.count({ where: { method: "code", caseId: kase.id } })).toBe(0);
    const actions = (
      await db.auditEvent.findMany({ where: { caseId: kase.id }, orderBy: { id: "asc" } })
    ).map((row) => [row.action, row.outcome]);
    expect(actions).toEqual([
      ["case.opened", "ALLOWED"],
      ["codes.redeemed", "ALLOWED"],
      ["passkey.enrolled", "ALLOWED"],
    ]);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { caseId: kase.id, action: "passkey.enrolled" },
      }),
    ).toMatchObject({ data: { via: "code" } });

    // The same code, again: refused like a wrong one, audited.
    const again = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[3]!, request: freshClient() }),
    );
    expect(again.userMessage).toBe(CODE_NOT_VALID);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "codes.redeem_refused" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ outcome: "REFUSED", data: { detail: "code already used" } });
  });

  it("lets exactly one of several simultaneous uses of one code win", async () => {
    const { user, codes } = await withCodes();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const result of results.filter((r) => r.status === "rejected"))
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(1);
    expect(
      await db.recoveryCase.count({ where: { userId: user.id, channel: "SELF_SERVICE" } }),
    ).toBe(1);
    expect(await db.workforceSession.count({ where: { userId: user.id, method: "code" } })).toBe(1);
  });

  it("answers an unknown person and a wrong code alike; a wrong code is audited, counted on the set", async () => {
    const { user, codes } = await withCodes();
    const unknown = await refused(
      redeemRecoveryCode({
        identity: "nobody@northwind.example",
        code: codes[0]!,
        request: freshClient(),
      }),
    );
    const wrong = await refused(
      redeemRecoveryCode({
        identity: user.employeeId,
        code: "0000-0000-0000-0000-0000-0000",
        request: freshClient(),
      }),
    );
    expect(unknown.userMessage).toBe(CODE_NOT_VALID);
    expect(wrong.userMessage).toBe(unknown.userMessage);
    expect(wrong.code).toBe(unknown.code);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "codes.redeem_refused" },
      }),
    ).toMatchObject({ data: { detail: "wrong code", attemptsLeft: 99 } });
    expect(
      (await db.recoveryCodeSet.findFirstOrThrow({ where: { userId: user.id } })).failedAttempts,
    ).toBe(1);
  });

  it("throttles wrong guesses per person, from every client, even before the right code", async () => {
    const { user, codes } = await withCodes();
    for (let i = 0; i < 6; i++)
      await refused(
        redeemRecoveryCode({
          identity: user.employeeId,
          code: "0000-0000-0000-0000-0000-0000",
          request: freshClient(),
        }),
      );
    const throttled = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(throttled.code).toBe("RATE_LIMITED");
    expect(throttled.userMessage).toMatch(/^Too many tries\. Wait/);
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(0);
  });

  it("refuses a right code for a person now high-risk, audited, and leaves the code unused", async () => {
    const { user, codes } = await withCodes();
    await db.workforceUser.update({ where: { id: user.id }, data: { riskTier: "HIGH_RISK" } });
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(error.userMessage).toBe(TIER_REFUSES_CODES);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "codes.redeem_refused" },
      }),
    ).toMatchObject({ outcome: "REFUSED", reason: "FORBIDDEN" });
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(0);
    expect(await db.workforceSession.count({ where: { userId: user.id, method: "code" } })).toBe(0);
  });

  it("refuses a right code for a break-glass account, whose recovery needs two supervisors and security", async () => {
    const { user, codes } = await withCodes();
    const reviewer = await actor("SECURITY");
    await db.breakGlassAccount.create({
      data: { userId: user.id, markedById: reviewer.id, reason: "emergency admin" },
    });
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(error.code).not.toBe("ALLOWED");
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(0);
    expect(await db.workforceSession.count({ where: { userId: user.id, method: "code" } })).toBe(0);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "codes.redeem_refused", outcome: "REFUSED" },
      }),
    ).toBe(1);
  });

  it("refuses a right code while the person's recovery is on hold, in the desk's words", async () => {
    const { user, codes } = await withCodes();
    await db.recoveryHold.create({ data: { userId: user.id, reason: "Manager denied" } });
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(error.code).toBe("ON_HOLD");
    expect(error.userMessage).toMatch(/on hold after a denial/);
    expect(
      await db.recoveryCase.count({ where: { userId: user.id, channel: "SELF_SERVICE" } }),
    ).toBe(0);
  });

  it("refuses a right code after a manager denied a recovery of the person: the denial holds them", async () => {
    const { user, codes } = await withCodes();
    const agent = await actor("AGENT");
    const manager = await createWorkforceUser(db, { passkeys: 0 });
    await db.workforceUser.update({ where: { id: user.id }, data: { managerId: manager.id } });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const { text } = await lastMessageTo(manager.emails[0]!.address);
    await answerManagerConfirmation({ token: linkToken(text, "confirm"), answer: "deny" });
    // Days ago, so the code is refused for the denial and not merely as a repeat call.
    await db.recoveryCase.update({
      where: { id: caseId },
      data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) },
    });
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(error.code).toBe("ON_HOLD");
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "codes.redeem_refused" },
      }),
    ).toMatchObject({ outcome: "REFUSED", reason: "ON_HOLD" });
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(0);
  });

  it("throttles one client trying many people, and counts unknown people like known ones", async () => {
    const client = from("203.0.113.9");
    for (let i = 0; i < 8; i++)
      expect(
        (
          await refused(
            redeemRecoveryCode({
              identity: `nobody-${i}@northwind.example`,
              code: "x",
              request: client,
            }),
          )
        ).userMessage,
      ).toBe(CODE_NOT_VALID);
    const { user, codes } = await withCodes();
    const throttled = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: client }),
    );
    expect(throttled.code).toBe("RATE_LIMITED");
  });

  it("refuses a right code after a stop on another recent case of the person (a red flag)", async () => {
    const { user, codes } = await withCodes();
    const { agent, caseId } = await verifiedStandardCase({ userId: user.id });
    await raiseRedFlag({ actor: agent, caseId, kind: "DETAILS_MISMATCH", note: "wrong manager" });
    // Days ago, so the code is not refused merely as a repeat call.
    await db.recoveryCase.update({
      where: { id: caseId },
      data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) },
    });
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(error.code).toBe("RED_FLAG");
    const kase = await db.recoveryCase.findFirstOrThrow({
      where: { userId: user.id, channel: "SELF_SERVICE" },
    });
    expect(kase.status).toBe("CLOSED");
    expect(
      await db.recoveryCode.count({ where: { set: { userId: user.id }, usedAt: { not: null } } }),
    ).toBe(0);
  });

  it("refuses a code that would be a repeat call: the policy wants a second person", async () => {
    const { user, codes } = await withCodes();
    await verifiedStandardCase({ userId: user.id });
    const error = await refused(
      redeemRecoveryCode({ identity: user.employeeId, code: codes[0]!, request: freshClient() }),
    );
    expect(error.code).toBe("APPROVAL_REQUIRED");
    expect(error.userMessage).toMatch(/supervisor's approval \(repeat call/);
  });
});

describe("revocation and leavers void the codes", () => {
  it("codes are voided, never deleted: the console's database role cannot delete them", async () => {
    const { user } = await withCodes();
    await expect(
      db.recoveryCode.deleteMany({ where: { set: { userId: user.id } } }),
    ).rejects.toThrow();
    await expect(db.recoveryCodeSet.deleteMany({ where: { userId: user.id } })).rejects.toThrow();
    expect(await getRecoveryCodeSummary(user.id)).toMatchObject({ left: 10 });
  });

  it("an agent's revoke-all voids the set", async () => {
    const { user, codes } = await withCodes();
    await revokePasskeys({
      actor: await actor("AGENT"),
      userId: user.id,
      request: { scope: "ALL" },
      reason: "SUSPECTED_COMPROMISE",
    });
    expect(await getRecoveryCodeSummary(user.id)).toBeNull();
    expect(
      (await db.recoveryCodeSet.findFirstOrThrow({ where: { userId: user.id } })).voidedAt,
    ).not.toBeNull();
    expect(
      (
        await refused(
          redeemRecoveryCode({
            identity: user.employeeId,
            code: codes[0]!,
            request: freshClient(),
          }),
        )
      ).userMessage,
    ).toBe(CODE_NOT_VALID);
  });

  it("a leaver's codes are void, and a code session ends with the leaver stop", async () => {
    const { user, codes } = await withCodes();
    const session = await redeemRecoveryCode({
      identity: user.employeeId,
      code: codes[0]!,
      request: freshClient(),
    });
    await changeEmploymentStatus({
      actor: { type: "SYSTEM", name: "HR feed" },
      userId: user.id,
      status: "LEFT",
      leavingOn: new Date(),
    });
    expect(await getRecoveryCodeSummary(user.id)).toBeNull();
    expect(
      await db.workforceSession.count({ where: { tokenHash: hashToken(session.token) } }),
    ).toBe(0);
    expect(
      (
        await refused(
          redeemRecoveryCode({
            identity: user.employeeId,
            code: codes[1]!,
            request: freshClient(),
          }),
        )
      ).userMessage,
    ).toBe(CODE_NOT_VALID);
  });
});

describe("marking passkeys lost from a code session", () => {
  it("revokes them at once for LOST, audited with their ids, and tells every address", async () => {
    const { user, address, codes } = await withCodes();
    const extra = await db.passkey.create({
      data: {
        userId: user.id,
        credentialId: `lost-${user.id}`,
        publicKey: Buffer.from("00", "hex"),
        aaguid: "00000000-0000-0000-0000-000000000000",
        backedUp: false,
      },
    });
    const session = await redeemRecoveryCode({
      identity: user.employeeId,
      code: codes[0]!,
      request: freshClient(),
    });
    const { revoked } = await markPasskeysLost({ token: session.token, passkeyIds: [extra.id] });
    expect(revoked).toBe(1);
    expect(await db.passkey.findUniqueOrThrow({ where: { id: extra.id } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "LOST",
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { caseId: session.caseId, action: "passkey.revoked" },
      }),
    ).toMatchObject({
      outcome: "ALLOWED",
      actorType: "WORKFORCE_USER",
      data: { reason: "LOST", passkeyIds: [extra.id] },
    });
    expect((await messageOfKind(address, "passkey.revoked")).caseId).toBe(session.caseId);
    // Someone else's passkey cannot be named.
    const other = await createWorkforceUser(db);
    const error = await refused(
      markPasskeysLost({ token: session.token, passkeyIds: [other.passkeys[0]!.id] }),
    );
    expect(error.code).toBe("INVALID_INPUT");
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { id: other.passkeys[0]!.id } })).status,
    ).toBe("ACTIVE");
  });
});
