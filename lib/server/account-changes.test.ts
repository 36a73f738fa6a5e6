/**
 * Self-service on /account (docs/decisions/036), against PostgreSQL: naming, removing and
 * reporting lost a passkey, signing out everywhere; each refusal (another person's passkey, a
 * revoked one, a stale verification, the last passkey unconfirmed, a leaver) changes nothing and
 * is audited; every change tells every verified address with a "this wasn't me" link that signs
 * the person out, holds their account and alerts security; two removals of the last two passkeys
 * at once cannot leave the person with none unconfirmed.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import { linkToken, messageOfKind, userWithSoftwarePasskey } from "@/tests/recovery";
import {
  removePasskey,
  renamePasskey,
  reportPasskeyLost,
  signOutEverywhere,
} from "./account-changes";
import { findRecoveryEvents } from "./find-recovery-events";
import { getRepudiation, repudiateRecovery } from "./repudiate-recovery";
import { hashToken, newToken } from "./secrets";
import { finishWorkforceSignIn, startWorkforceSignIn } from "./workforce-sign-in";

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** An account session of the person, signed in with a passkey and verified `minutesAgo`. */
async function sessionOf(userId: string, minutesAgo: number | null = 0, method = "passkey") {
  const token = newToken();
  await db.workforceSession.create({
    data: {
      userId,
      tokenHash: hashToken(token),
      method,
      expiresAt: new Date(Date.now() + 60 * 60_000),
      verifiedAt: minutesAgo === null ? null : new Date(Date.now() - minutesAgo * 60_000),
    },
  });
  return token;
}

/** A person with two passkeys and a second verified address, signed in and freshly verified. */
async function person(overrides: Parameters<typeof createWorkforceUser>[1] = {}) {
  const user = await createWorkforceUser(db, { passkeys: 2, ...overrides });
  const personal = `personal-${user.id.slice(0, 8)}@example.net`;
  await db.workforceEmail.create({
    data: {
      userId: user.id,
      address: personal,
      kind: "personal",
      verified: true,
      isPrimary: false,
    },
  });
  const token = await sessionOf(user.id);
  return { user, token, addresses: [user.emails[0]!.address, personal] };
}

/** Everything a change could touch, to show a refusal touched none of it. */
async function stateOf(userId: string) {
  return {
    passkeys: await db.passkey.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    sessions: await db.workforceSession.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    links: await db.repudiationLink.count({ where: { userId } }),
    messages: await db.outboxMessage.count({ where: { subjectUserId: userId } }),
    revocations: await db.revocation.count({ where: { userId } }),
  };
}

const lastAuditId = async () =>
  (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
const auditSince = (userId: string, from: bigint) =>
  db.auditEvent.findMany({
    where: { subjectUserId: userId, id: { gt: from } },
    orderBy: { id: "asc" },
  });

async function expectRefusedAndUnchanged(
  userId: string,
  attempt: () => Promise<unknown>,
  code: string,
  message?: RegExp,
) {
  const before = await stateOf(userId);
  const from = await lastAuditId();
  const error = await refused(attempt());
  expect(error.code).toBe(code);
  if (message) expect(error.userMessage).toMatch(message);
  expect(await stateOf(userId)).toEqual(before);
  const rows = await auditSince(userId, from);
  expect(rows.map((r) => [r.action, r.outcome, r.reason])).toEqual([
    ["account.change_refused", "REFUSED", code],
  ]);
  return error;
}

describe("naming a passkey", () => {
  it("stores the trimmed name, audits it and tells every verified address with a 'this wasn't me' link", async () => {
    const { user, token, addresses } = await person();
    const passkey = user.passkeys[0]!;
    await renamePasskey({ token, passkeyId: passkey.id, nickname: "Work laptop" });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).nickname).toBe(
      "Work laptop",
    );
    const [row] = await db.auditEvent.findMany({
      where: { subjectUserId: user.id, action: "account.passkey_renamed" },
    });
    expect(row).toMatchObject({
      outcome: "ALLOWED",
      actorType: "WORKFORCE_USER",
      targetId: passkey.id,
    });
    for (const address of addresses) {
      const mail = await messageOfKind(address, "account.changed");
      expect(mail.text).toMatch(/“Work laptop”/);
      expect(linkToken(mail.text, "report")).toHaveLength(43);
    }
    expect((await findRecoveryEvents(user.id)).map((e) => e.label)).toEqual([
      "A passkey was renamed",
    ]);
    await renamePasskey({ token, passkeyId: passkey.id, nickname: "" });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).nickname).toBeNull();
  });

  it("refuses another person's passkey and a revoked one, changing nothing", async () => {
    const { user, token } = await person();
    const other = await createWorkforceUser(db, { passkeys: 1 });
    await expectRefusedAndUnchanged(
      user.id,
      () => renamePasskey({ token, passkeyId: other.passkeys[0]!.id, nickname: "Mine now" }),
      "NOT_FOUND",
      /not one of yours/,
    );
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { id: other.passkeys[0]!.id } })).nickname,
    ).toBeNull();
    await db.passkey.update({ where: { id: user.passkeys[1]!.id }, data: { status: "REVOKED" } });
    await expectRefusedAndUnchanged(
      user.id,
      () => renamePasskey({ token, passkeyId: user.passkeys[1]!.id, nickname: "Old" }),
      "CONFLICT",
    );
  });

  it("refuses a pass's session and an unknown token", async () => {
    const { user } = await person();
    const pass = await sessionOf(user.id, 0, "tap");
    await expectRefusedAndUnchanged(
      user.id,
      () => renamePasskey({ token: pass, passkeyId: user.passkeys[0]!.id, nickname: "x" }),
      "UNAUTHENTICATED",
    );
    const error = await refused(
      renamePasskey({ token: newToken(), passkeyId: user.passkeys[0]!.id, nickname: "x" }),
    );
    expect(error.code).toBe("UNAUTHENTICATED");
  });
});

describe("removing a passkey", () => {
  it("revokes it with no reason, keeps the sessions, uses the verification up and tells every address", async () => {
    const { user, token, addresses } = await person();
    const [gone, kept] = user.passkeys;
    const other = await sessionOf(user.id);
    const result = await removePasskey({ token, passkeyId: gone!.id, confirmLast: false });
    expect(result).toEqual({ last: false });
    const removed = await db.passkey.findUniqueOrThrow({ where: { id: gone!.id } });
    expect(removed).toMatchObject({ status: "REVOKED", revokedReason: null, revokedById: null });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: kept!.id } })).status).toBe("ACTIVE");
    const sessions = await db.workforceSession.findMany({ where: { userId: user.id } });
    expect(sessions.map((s) => s.tokenHash).sort()).toEqual(
      [hashToken(token), hashToken(other)].sort(),
    );
    expect(sessions.find((s) => s.tokenHash === hashToken(token))!.verifiedAt).toBeNull();
    const row = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "account.passkey_removed" },
    });
    expect(row.data).toMatchObject({ last: false, passkeyIds: [gone!.id], endedSessions: 0 });
    for (const address of addresses)
      expect((await messageOfKind(address, "account.changed")).subject).toBe(
        "A passkey was removed from your account",
      );
  });

  it("needs a fresh verification: a stale one, or one already used, is refused and changes nothing", async () => {
    const { user } = await person();
    const stale = await sessionOf(user.id, ACTIVE_POLICY.lifetimes.freshVerificationMinutes + 1);
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token: stale, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      "UNAUTHENTICATED",
      /Confirm it's you first/,
    );
    await expectRefusedAndUnchanged(
      user.id,
      () =>
        reportPasskeyLost({ token: stale, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      "UNAUTHENTICATED",
      /Confirm it's you first/,
    );
    const fresh = await sessionOf(user.id);
    await removePasskey({ token: fresh, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    // One verification, one removal.
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token: fresh, passkeyId: user.passkeys[1]!.id, confirmLast: true }),
      "UNAUTHENTICATED",
    );
  });

  it("refuses the last passkey without the confirmation, with the tier's warning; with it, removes it", async () => {
    const { user, token } = await person({ passkeys: 1, riskTier: "PRIVILEGED" });
    const error = await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      "CONFLICT",
      /This is your last passkey/,
    );
    expect(error.userMessage).toMatch(/supervisor/);
    expect(
      await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
    ).toEqual({
      last: true,
    });
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
  });

  it("is refused for a leaver, and for another person's passkey", async () => {
    const { user, token } = await person({ status: "LEFT" });
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      "LEAVER",
    );
    const { user: mine, token: myToken } = await person();
    await expectRefusedAndUnchanged(
      mine.id,
      () => removePasskey({ token: myToken, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
      "NOT_FOUND",
    );
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(2);
  });

  it("two removals of the last two passkeys at once cannot leave the person with none unconfirmed", async () => {
    const { user } = await person();
    const [a, b] = user.passkeys;
    const [one, two] = [await sessionOf(user.id), await sessionOf(user.id)];
    const results = await Promise.allSettled([
      removePasskey({ token: one, passkeyId: a!.id, confirmLast: false }),
      removePasskey({ token: two, passkeyId: b!.id, confirmLast: false }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(DomainError);
    expect((failure.reason as DomainError).userMessage).toMatch(/This is your last passkey/);
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
  });
});

describe("reporting a device lost", () => {
  it("revokes its passkey for loss, ends every session, and the passkey fails at the next sign-in", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const spare = await db.passkey.create({
      data: {
        userId: user.id,
        credentialId: newToken(),
        publicKey: Buffer.from("spare"),
        aaguid: "00000000-0000-0000-0000-000000000000",
        modelName: "Spare key",
        backedUp: false,
        transports: ["usb"],
      },
    });
    const lostOne = await db.passkey.findFirstOrThrow({
      where: { userId: user.id, id: { not: spare.id } },
    });
    // A session on the lost device, and the one on the device the person still has.
    const onLostDevice = await sessionOf(user.id, 30);
    const here = await sessionOf(user.id);
    const result = await reportPasskeyLost({
      token: here,
      passkeyId: lostOne.id,
      confirmLast: false,
    });
    expect(result).toEqual({ last: false, endedSessions: 2 });
    expect(await db.passkey.findUniqueOrThrow({ where: { id: lostOne.id } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "LOST",
    });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.revocation.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      scope: "ONE",
      reason: "LOST",
      passkeyId: lostOne.id,
      actorId: user.id,
    });
    const row = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "account.passkey_reported_lost" },
    });
    expect(row.data).toMatchObject({ reason: "LOST", passkeyIds: [lostOne.id], endedSessions: 2 });
    expect(onLostDevice).not.toBe(here);

    const options = await startWorkforceSignIn();
    const error = await refused(
      finishWorkforceSignIn({
        response: passkey.authenticate(options.challenge, user.webauthnUserId),
      }),
    );
    expect(error.userMessage).toBe(
      "That passkey cannot sign you in. If you lost your devices, call the service desk.",
    );
    const refusal = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "workforce.sign_in_refused" },
      orderBy: { id: "desc" },
    });
    expect(refusal.outcome).toBe("REFUSED");
  });

  it("refuses an unconfirmed last passkey and a revoked one", async () => {
    const { user, token } = await person({ passkeys: 1 });
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      "CONFLICT",
      /last passkey/,
    );
    await db.passkey.update({ where: { id: user.passkeys[0]!.id }, data: { status: "REVOKED" } });
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
      "CONFLICT",
    );
  });
});

describe("signing out everywhere", () => {
  it("ends every session of the person, this one included, and no one else's", async () => {
    const { user, token, addresses } = await person();
    await sessionOf(user.id, null);
    const { user: someoneElse } = await person();
    expect(await signOutEverywhere({ token })).toEqual({ endedSessions: 2 });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.workforceSession.count({ where: { userId: someoneElse.id } })).toBe(1);
    const row = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "account.signed_out_everywhere" },
    });
    expect(row.data).toEqual({ endedSessions: 2 });
    for (const address of addresses)
      expect((await messageOfKind(address, "account.changed")).subject).toBe(
        "You were signed out everywhere",
      );
    // The session is gone: the same cookie changes nothing more.
    expect((await refused(signOutEverywhere({ token }))).code).toBe("UNAUTHENTICATED");
  });

  it("is refused for a leaver", async () => {
    const { user, token } = await person({ status: "SUSPENDED" });
    await expectRefusedAndUnchanged(user.id, () => signOutEverywhere({ token }), "LEAVER");
  });
});

describe("'this wasn't me' about a change", () => {
  it("signs the person out everywhere, puts their account on hold, alerts security, and works once for all addresses", async () => {
    const security = await createStaff(db, { role: "SECURITY" });
    const { user, token, addresses } = await person();
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    const [first, second] = await Promise.all(
      addresses.map(async (a) =>
        linkToken((await messageOfKind(a, "account.changed")).text, "report"),
      ),
    );
    expect(await getRepudiation(first!)).toMatchObject({ kind: "change", change: "removed" });
    await sessionOf(user.id);

    expect(await repudiateRecovery({ token: first! })).toBe("change");
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })).toBe(1);
    // Nothing restored: the removed passkey stays removed, the other stays as it was.
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
    const alert = await messageOfKind(security.email, "security.alert");
    expect(alert.text).toMatch(/removed a passkey/);
    expect(alert.text).toContain(`/users/${user.id}`);
    const row = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "account.change_repudiated" },
    });
    expect(row.data).toMatchObject({ change: "removed", endedSessions: 2 });

    expect(await getRepudiation(second!)).toBeNull();
    expect((await refused(repudiateRecovery({ token: second! }))).code).toBe("SEQUENCE");
  });
});
