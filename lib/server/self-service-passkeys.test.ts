/**
 * Adding a passkey while signed in with another (docs/decisions/016; NIST SP 800-63B-4 §4.1.2.1,
 * §4.6): a fresh user verification (the sign-in, or "Confirm it's you") for each one, never while
 * on hold or suspended, and a notice with a "this wasn't me" link at every verified address that
 * undoes it. Real ceremonies with a software authenticator, against PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import {
  actor,
  linkToken,
  messageOfKind,
  redeemedPassSession,
  userWithSoftwarePasskey,
} from "@/tests/recovery";
import { softwarePasskey, type SoftwarePasskey } from "@/tests/software-authenticator";
import { runUserWork } from "./cases/unit-of-work";
import { finishPasskeyRegistration } from "./finish-passkey-registration";
import { openCase } from "./open-case";
import { getRepudiation, repudiateRecovery } from "./repudiate-recovery";
import {
  finishWorkforceReverification,
  startWorkforceReverification,
} from "./reverify-workforce-session";
import { hashToken } from "./secrets";
import { startPasskeyRegistration } from "./start-passkey-registration";
import { finishWorkforceSignIn, startWorkforceSignIn } from "./workforce-sign-in";

type User = Awaited<ReturnType<typeof userWithSoftwarePasskey>>["user"];

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** A user holding a real passkey, signed in with it on the account pages. */
async function signedIn() {
  const { firstCaseId: _, ...rest } = await signedInWithCase();
  return rest;
}

/** As signedIn, with the case through which the user's passkey was set up. */
async function signedInWithCase() {
  const { user, passkey, firstCaseId } = await userWithSoftwarePasskey();
  const token = await signIn(user, passkey);
  return { user, passkey, token, grant: { kind: "session" as const, token }, firstCaseId };
}

async function signIn(user: User, passkey: SoftwarePasskey) {
  const options = await startWorkforceSignIn();
  const { token } = await finishWorkforceSignIn({
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
  });
  return token;
}

const session = (token: string) =>
  db.workforceSession.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });

/** The sign-in's verification, aged past the policy's window. */
async function makeStale(token: string) {
  const minutes = ACTIVE_POLICY.lifetimes.freshVerificationMinutes + 1;
  await db.workforceSession.update({
    where: { tokenHash: hashToken(token) },
    data: { verifiedAt: new Date(Date.now() - minutes * 60_000) },
  });
}

async function confirmItsYou(token: string, user: User, passkey: SoftwarePasskey) {
  const options = await startWorkforceReverification({ token });
  return finishWorkforceReverification({
    token,
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
  });
}

async function addPasskey(token: string, added = softwarePasskey()) {
  const grant = { kind: "session" as const, token };
  const options = await startPasskeyRegistration({ grant });
  await finishPasskeyRegistration({ grant, response: added.register(options.challenge) });
  return added;
}

/** Everything an addition could change, to show a refusal changed none of it. */
async function stateOf(userId: string) {
  return {
    passkeys: await db.passkey.findMany({ where: { userId }, orderBy: { createdAt: "asc" } }),
    sessions: await db.workforceSession.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    links: await db.repudiationLink.count({ where: { userId } }),
    messages: await db.outboxMessage.count({ where: { subjectUserId: userId } }),
    registerChallenges: await db.webAuthnChallenge.count({
      where: { userId, purpose: "register" },
    }),
  };
}

const auditRows = (userId: string, fromId: bigint) =>
  db.auditEvent.findMany({ where: { subjectUserId: userId, id: { gt: fromId } } });
const lastAuditId = async () =>
  (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;

describe("adding a passkey from a passkey session", () => {
  it("is refused once the verification is stale: nothing changes and one audit row says why", async () => {
    const { user, token, grant } = await signedIn();
    await makeStale(token);
    const before = await stateOf(user.id);
    const from = await lastAuditId();

    const error = await refused(startPasskeyRegistration({ grant }));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.userMessage).toMatch(/Confirm it's you first/);

    expect(await stateOf(user.id)).toEqual(before);
    const rows = await auditRows(user.id, from);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: "passkey.enrol_refused",
      outcome: "REFUSED",
      reason: "UNAUTHENTICATED",
      actorType: "WORKFORCE_USER",
      actorId: user.id,
      caseId: null,
    });
  });

  it("refuses at the finish, under the lock, a ceremony begun fresh whose verification went stale", async () => {
    const { user, token, grant } = await signedIn();
    const options = await startPasskeyRegistration({ grant });
    await makeStale(token);
    const before = await stateOf(user.id);
    const from = await lastAuditId();

    const error = await refused(
      finishPasskeyRegistration({ grant, response: softwarePasskey().register(options.challenge) }),
    );
    expect(error.userMessage).toMatch(/Confirm it's you first/);
    expect(await stateOf(user.id)).toEqual(before);
    expect(await auditRows(user.id, from)).toMatchObject([
      { action: "passkey.enrol_refused", reason: "UNAUTHENTICATED" },
    ]);
  });

  it("works after confirming it's you, once: a second addition needs a new confirmation", async () => {
    const { user, passkey, token, grant } = await signedIn();
    await makeStale(token);

    const { freshUntil } = await confirmItsYou(token, user, passkey);
    const verified = await session(token);
    expect(verified.verifiedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(freshUntil.getTime() - verified.verifiedAt!.getTime()).toBe(
      ACTIVE_POLICY.lifetimes.freshVerificationMinutes * 60_000,
    );
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "workforce.reverified" },
      }),
    ).toMatchObject({ outcome: "ALLOWED", actorId: user.id, targetType: "passkey" });

    const added = await addPasskey(token);
    expect(await db.passkey.findUniqueOrThrow({ where: { credentialId: added.id } })).toMatchObject(
      { userId: user.id, status: "ACTIVE" },
    );
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.enrolled" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ caseId: null, actorId: user.id, data: { via: "passkey" } });
    // The verification is used up; the session itself goes on.
    expect((await session(token)).verifiedAt).toBeNull();

    expect((await refused(startPasskeyRegistration({ grant }))).userMessage).toMatch(
      /Confirm it's you first/,
    );
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(2);

    // Confirming again (with the passkey just added: any of the user's own will do) allows one more.
    await confirmItsYou(token, user, added);
    await addPasskey(token);
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(3);
  });

  it('tells every verified address, each with its own working "this wasn\'t me" link', async () => {
    const { user, token } = await signedIn();
    await db.workforceEmail.createMany({
      data: [
        {
          userId: user.id,
          address: `home-${user.id.slice(0, 8)}@personal.example`,
          kind: "personal",
          verified: true,
        },
        {
          userId: user.id,
          address: `unverified-${user.id.slice(0, 8)}@personal.example`,
          kind: "personal",
          verified: false,
        },
      ],
    });
    const added = await addPasskey(token);
    const passkey = await db.passkey.findUniqueOrThrow({ where: { credentialId: added.id } });

    const verified = await db.workforceEmail.findMany({
      where: { userId: user.id, verified: true },
    });
    expect(verified).toHaveLength(2);
    const tokens: string[] = [];
    for (const { address } of verified) {
      const notice = await messageOfKind(address, "passkey.enrolled");
      expect(notice.caseId).toBeNull();
      expect(notice.subject).toBe("A passkey was added to your account");
      expect(notice.text).toContain("Unknown authenticator, device-bound");
      expect(notice.text).toMatch(/on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(notice.text).toContain("If this wasn't you");
      tokens.push(linkToken(notice.text, "report"));
    }
    expect(new Set(tokens).size).toBe(2);
    expect(
      await db.outboxMessage.count({
        where: { toAddress: { startsWith: "unverified-" }, subjectUserId: user.id },
      }),
    ).toBe(0);
    expect(
      await db.repudiationLink.findMany({
        where: { userId: user.id, passkeyId: passkey.id },
        select: { caseId: true },
      }),
    ).toEqual([{ caseId: null }, { caseId: null }]);
    // The page describes what is being reported (reading changes nothing).
    expect(await getRepudiation(tokens[0]!)).toMatchObject({
      kind: "passkey",
      name: user.name,
      model: "Unknown authenticator",
      backedUp: false,
      addedAt: passkey.createdAt,
    });
    expect(await getRepudiation(tokens[0]!)).not.toBeNull();
  });

  it('"this wasn\'t me" revokes that passkey, ends every session, voids recovery, holds the person and alerts security, once', async () => {
    const security = await createStaff(db, { role: "SECURITY", team: null });
    const { user, passkey, token, firstCaseId } = await signedInWithCase();
    await signIn(user, passkey); // a second session, on another device
    const added = await addPasskey(token);
    const addedRow = await db.passkey.findUniqueOrThrow({ where: { credentialId: added.id } });
    const report = linkToken(
      (await messageOfKind(user.emails[0]!.address, "passkey.enrolled")).text,
      "report",
    );
    // Something recovery issued and could still be used (a pass and the session it opened).
    const agent = await actor("AGENT");
    const pass = await db.temporaryAccessPass.create({
      data: {
        userId: user.id,
        caseId: firstCaseId,
        codeHash: hashToken(`pass-${user.id}`),
        maxFailures: 10,
        expiresAt: new Date(Date.now() + 3_600_000),
        issuedById: agent.id,
      },
    });
    await db.workforceSession.create({
      data: {
        userId: user.id,
        tokenHash: hashToken(`pass-session-${user.id}`),
        method: "tap",
        tapId: pass.id,
        expiresAt: new Date(Date.now() + 600_000),
      },
    });

    expect(await repudiateRecovery({ token: report })).toBe("passkey");

    expect(await db.passkey.findUniqueOrThrow({ where: { id: addedRow.id } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "SUSPECTED_COMPROMISE",
    });
    // Only that passkey: the one the session signed in with stays (security reviews it).
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { credentialId: passkey.id } })).status,
    ).toBe("ACTIVE");
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.temporaryAccessPass.findUniqueOrThrow({ where: { id: pass.id } }),
    ).toMatchObject({
      voidReason: "reported by the user as not them",
    });
    expect(
      await db.recoveryHold.findMany({ where: { userId: user.id, clearedAt: null } }),
    ).toMatchObject([{ caseId: null, reason: expect.stringMatching(/not them/) }]);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.repudiated" },
      }),
    ).toMatchObject({
      outcome: "ALLOWED",
      actorType: "WORKFORCE_USER",
      caseId: null,
      targetId: addedRow.id,
      data: { revokedPasskeys: 1, endedSessions: 3, voided: { passes: 1, passSessions: 1 } },
    });
    const alert = await messageOfKind(security.email, "security.alert");
    expect(alert.subject).toMatch(/says a passkey added to their account was not them/);
    expect(alert.text).toContain(`/users/${user.id}`);

    // Nothing recovers them until a supervisor has reviewed it.
    const error = await refused(
      openCase({
        actor: agent,
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      }),
    );
    expect(error.code).toBe("ON_HOLD");

    // The link works once, and is audited when tried again.
    expect(await getRepudiation(report)).toBeNull();
    expect((await refused(repudiateRecovery({ token: report }))).code).toBe("SEQUENCE");
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "case.repudiation_refused" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ outcome: "REFUSED", data: { detail: "link used" } });
    expect(await db.recoveryHold.count({ where: { userId: user.id } })).toBe(1);
  });

  it("uses up every link about that passkey with the first report", async () => {
    const { user, token } = await signedIn();
    await db.workforceEmail.create({
      data: {
        userId: user.id,
        address: `home-${user.id.slice(0, 8)}@personal.example`,
        kind: "personal",
        verified: true,
      },
    });
    await addPasskey(token);
    const addresses = (
      await db.workforceEmail.findMany({ where: { userId: user.id, verified: true } })
    ).map((email) => email.address);
    const [first, second] = await Promise.all(
      addresses.map(async (address) =>
        linkToken((await messageOfKind(address, "passkey.enrolled")).text, "report"),
      ),
    );
    await repudiateRecovery({ token: first! });
    expect(await getRepudiation(second!)).toBeNull();
    expect((await refused(repudiateRecovery({ token: second! }))).code).toBe("SEQUENCE");
    expect(await db.recoveryHold.count({ where: { userId: user.id } })).toBe(1);
  });

  it("is refused for a person on hold, and for one suspended, even with a fresh verification", async () => {
    // On hold (a denial elsewhere): refused at the start, and at the finish under the lock.
    const held = await signedIn();
    const options = await startPasskeyRegistration({ grant: held.grant });
    await db.recoveryHold.create({ data: { userId: held.user.id, reason: "Manager denied" } });
    const heldBefore = await stateOf(held.user.id);
    expect((await refused(startPasskeyRegistration({ grant: held.grant }))).code).toBe("ON_HOLD");
    const atFinish = await refused(
      finishPasskeyRegistration({
        grant: held.grant,
        response: softwarePasskey().register(options.challenge),
      }),
    );
    expect(atFinish.code).toBe("ON_HOLD");
    expect(atFinish.userMessage).toMatch(/paused/);
    expect(await stateOf(held.user.id)).toEqual(heldBefore);

    // Suspended outside the console (its own path would have ended the session): still refused.
    const suspended = await signedIn();
    const begun = await startPasskeyRegistration({ grant: suspended.grant });
    await db.workforceUser.update({
      where: { id: suspended.user.id },
      data: { status: "SUSPENDED" },
    });
    const suspendedBefore = await stateOf(suspended.user.id);
    expect((await refused(startPasskeyRegistration({ grant: suspended.grant }))).code).toBe(
      "LEAVER",
    );
    expect(
      (
        await refused(
          finishPasskeyRegistration({
            grant: suspended.grant,
            response: softwarePasskey().register(begun.challenge),
          }),
        )
      ).code,
    ).toBe("LEAVER");
    expect(await stateOf(suspended.user.id)).toEqual(suspendedBefore);
    // Nor can the session confirm it's them.
    expect(
      (await refused(confirmItsYou(suspended.token, suspended.user, suspended.passkey))).code,
    ).toBe("UNAUTHENTICATED");
  });

  it("re-checks the hold under the person's lock: one that lands while the addition waits for it refuses the addition", async () => {
    const { user, grant } = await signedIn();
    const options = await startPasskeyRegistration({ grant });
    const before = await stateOf(user.id);
    const from = await lastAuditId();
    let finishing: Promise<unknown> | undefined;
    // Another path holds the person's lock (the unit of work, as a denial would) while the
    // addition arrives: its checks outside the lock pass, then it waits, then sees the hold.
    await runUserWork(
      {
        userId: user.id,
        actor: { kind: "public", audit: { type: "SYSTEM", name: "test" } },
        attempted: "hold",
      },
      async ({ tx }) => {
        finishing = finishPasskeyRegistration({
          grant,
          response: softwarePasskey().register(options.challenge),
        }).catch((e: unknown) => e);
        // Its challenge is consumed before it asks for the lock.
        await expect
          .poll(
            async () =>
              (
                await db.webAuthnChallenge.findUniqueOrThrow({
                  where: { challenge: options.challenge },
                })
              ).usedAt,
          )
          .not.toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.recoveryHold.create({ data: { userId: user.id, reason: "Manager denied" } });
        return { ok: true, value: null };
      },
    );
    const error = await finishing;
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("ON_HOLD");
    const after = await stateOf(user.id);
    expect(after.passkeys).toEqual(before.passkeys);
    expect(after.messages).toBe(before.messages);
    // Refused under the lock (the unit of work's refusal, not the check before it).
    expect(await auditRows(user.id, from)).toMatchObject([
      {
        action: "passkey.enrol_refused",
        reason: "ON_HOLD",
        data: { detail: expect.stringMatching(/^Adding passkeys is paused/) },
      },
    ]);
  });

  it("refuses a confirmation by another user's passkey, audited, and its challenge is spent", async () => {
    const { user, passkey, token } = await signedIn();
    const other = await userWithSoftwarePasskey();
    await makeStale(token);
    const before = await session(token);
    const options = await startWorkforceReverification({ token });
    // The options allow only the session user's own passkeys.
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([passkey.id]);
    expect(options.userVerification).toBe("required");
    const from = await lastAuditId();

    const error = await refused(
      finishWorkforceReverification({
        token,
        response: other.passkey.authenticate(options.challenge, other.user.webauthnUserId),
      }),
    );
    expect(error.code).toBe("UNAUTHENTICATED");
    expect((await session(token)).verifiedAt).toEqual(before.verifiedAt);
    expect(await auditRows(user.id, from)).toMatchObject([
      {
        action: "workforce.reverify_refused",
        outcome: "REFUSED",
        data: { detail: "credential not bound to this user, or not active" },
      },
    ]);
    // The challenge was used by the refused try: the right passkey cannot reuse it.
    await refused(
      finishWorkforceReverification({
        token,
        response: passkey.authenticate(options.challenge, user.webauthnUserId),
      }),
    );
    expect((await session(token)).verifiedAt).toEqual(before.verifiedAt);
    expect(
      (await refused(startPasskeyRegistration({ grant: { kind: "session", token } }))).code,
    ).toBe("UNAUTHENTICATED");
  });

  it("refuses a confirmation without user verification, and one from a pass's session", async () => {
    const { user, passkey, token } = await signedIn();
    await makeStale(token);
    const before = await session(token);
    const options = await startWorkforceReverification({ token });
    // The user's own credential, on an authenticator that did not verify the user.
    const error = await refused(
      finishWorkforceReverification({
        token,
        response: passkey
          .clone({ userVerified: false })
          .authenticate(options.challenge, user.webauthnUserId),
      }),
    );
    expect(error.code).toBe("UNAUTHENTICATED");
    expect((await session(token)).verifiedAt).toEqual(before.verifiedAt);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "workforce.reverify_refused" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ data: { detail: expect.stringMatching(/user could not be verified/i) } });

    // A pass's session is for one recovery passkey, not for confirming anything.
    const tap = await redeemedPassSession({
      userId: (await createWorkforceUser(db, { passkeys: 1 })).id,
    });
    expect((await refused(startWorkforceReverification({ token: tap.token }))).code).toBe(
      "UNAUTHENTICATED",
    );
  });

  it("lets two simultaneous additions after one verification yield exactly one passkey", async () => {
    for (let round = 0; round < 3; round++) {
      const { user, token, grant } = await signedIn();
      const [a, b] = [
        await startPasskeyRegistration({ grant }),
        await startPasskeyRegistration({ grant }),
      ];
      const results = await Promise.allSettled([
        finishPasskeyRegistration({ grant, response: softwarePasskey().register(a.challenge) }),
        finishPasskeyRegistration({ grant, response: softwarePasskey().register(b.challenge) }),
      ]);
      expect(
        results.filter((r) => r.status === "fulfilled"),
        `round ${round}`,
      ).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(DomainError);
      expect((loser.reason as DomainError).code).toBe("UNAUTHENTICATED");
      expect(await db.passkey.count({ where: { userId: user.id } })).toBe(2);
      expect(
        await db.auditEvent.count({
          where: { subjectUserId: user.id, action: "passkey.enrolled", caseId: null },
        }),
      ).toBe(1);
      expect(
        await db.outboxMessage.count({
          where: { subjectUserId: user.id, kind: "passkey.enrolled", caseId: null },
        }),
      ).toBe(1);
      expect((await session(token)).verifiedAt).toBeNull();
    }
  });
});
