/**
 * Attacker's review of self-service on /account (issue 15, part A; docs/decisions/036), against
 * PostgreSQL with real passkey assertions (tests/software-authenticator.ts): someone else's,
 * revoked and malformed passkey ids and names; sessions that must not change anything (a pass's,
 * expired, idle, ended, a leaver's, a suspended person's, a person on hold); stale and reused
 * verifications; the last passkey; races with a second removal, an agent's revoke-all and a
 * sign-in with the passkey being reported lost; what a lost passkey can still do; the "this
 * wasn't me" link (twice, per address, after a later recovery, what it holds and what it
 * leaks); the notices; the Shared Signals events; refusals audited once and changing nothing.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  NICKNAME_MAX,
  RemovePasskeySchema,
  RenamePasskeySchema,
} from "@/lib/domain/account-changes";
import { DomainError } from "@/lib/domain/errors";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { eventsForAudit, SSF_EVENT_TYPES, type PasskeyFacts } from "@/lib/domain/ssf/events";
import { auditFacts } from "@/lib/server/ssf/deliver";
import {
  removePasskey,
  renamePasskey,
  reportPasskeyLost,
  signOutEverywhere,
} from "@/lib/server/account-changes";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { getRepudiation, repudiateRecovery } from "@/lib/server/repudiate-recovery";
import type { RequestContext } from "@/lib/server/request-context";
import {
  finishWorkforceReverification,
  startWorkforceReverification,
} from "@/lib/server/reverify-workforce-session";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { hashToken, newToken } from "@/lib/server/secrets";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import {
  actor,
  linkToken,
  messageOfKind,
  redeemedPassSession,
  userWithSoftwarePasskey,
  verifiedStandardCase,
} from "@/tests/recovery";
import { softwarePasskey, type SoftwarePasskey } from "@/tests/software-authenticator";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A request from its own address, so sign-ins here never share a rate-limit budget. */
const request = (): RequestContext => ({
  requestId: randomUUID(),
  ip: `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
});

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** An account session written directly (how it began, when it was verified, expiry, last seen). */
async function sessionOf(
  userId: string,
  options: {
    method?: string;
    verifiedMinutesAgo?: number | null;
    expiresAt?: Date;
    lastSeenAt?: Date;
  } = {},
) {
  const token = newToken();
  const { method = "passkey", verifiedMinutesAgo = 0 } = options;
  await db.workforceSession.create({
    data: {
      userId,
      tokenHash: hashToken(token),
      method,
      expiresAt: options.expiresAt ?? new Date(Date.now() + 60 * 60_000),
      ...(options.lastSeenAt ? { lastSeenAt: options.lastSeenAt } : {}),
      verifiedAt:
        verifiedMinutesAgo === null ? null : new Date(Date.now() - verifiedMinutesAgo * 60_000),
    },
  });
  return token;
}

/**
 * A person with `passkeys` passkeys, a verified personal address and an unverified one, signed
 * in with a passkey and freshly verified.
 */
async function person(overrides: Parameters<typeof createWorkforceUser>[1] = {}) {
  const user = await createWorkforceUser(db, { passkeys: 2, ...overrides });
  const personal = `personal-${user.id.slice(0, 8)}@example.net`;
  const unverified = `unverified-${user.id.slice(0, 8)}@example.org`;
  await db.workforceEmail.createMany({
    data: [
      { userId: user.id, address: personal, kind: "personal", verified: true, isPrimary: false },
      { userId: user.id, address: unverified, kind: "personal", verified: false, isPrimary: false },
    ],
  });
  const token = await sessionOf(user.id);
  return { user, token, addresses: [user.emails[0]!.address, personal], unverified };
}

/** Everything a change could touch, to show a refusal touched none of it. */
async function stateOf(userId: string) {
  return {
    passkeys: await db.passkey.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    sessions: await db.workforceSession.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    links: await db.repudiationLink.findMany({ where: { userId }, orderBy: { id: "asc" } }),
    messages: await db.outboxMessage.count({ where: { subjectUserId: userId } }),
    revocations: await db.revocation.count({ where: { userId } }),
    holds: await db.recoveryHold.count({ where: { userId } }),
  };
}

const lastAuditId = async () =>
  (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
const auditSince = (userId: string, from: bigint) =>
  db.auditEvent.findMany({
    where: { subjectUserId: userId, id: { gt: from } },
    orderBy: { id: "asc" },
  });

/** Refused with `code`, nothing changed, exactly one `account.change_refused` row. */
async function expectRefusedAndUnchanged(
  userId: string,
  attempt: () => Promise<unknown>,
  code: string,
) {
  const before = await stateOf(userId);
  const from = await lastAuditId();
  const error = await refused(attempt());
  expect(error.code).toBe(code);
  expect(await stateOf(userId)).toEqual(before);
  const rows = await auditSince(userId, from);
  expect(rows.map((r) => [r.action, r.outcome, r.reason])).toEqual([
    ["account.change_refused", "REFUSED", code],
  ]);
  // A refusal sends nothing to Shared Signals receivers.
  expect(await ssfEventsOf(rows)).toEqual([]);
  return error;
}

type AuditRow = Awaited<ReturnType<typeof auditSince>>[number];

/** The Shared Signals events the transmitter derives from these audit rows. */
async function ssfEventsOf(rows: AuditRow[]) {
  const passkeys = new Map<string, PasskeyFacts>(
    (await db.passkey.findMany()).map((p) => [
      p.id,
      {
        id: p.id,
        aaguid: p.aaguid,
        modelName: p.modelName,
        backedUp: p.backedUp,
        transports: p.transports,
      },
    ]),
  );
  return rows.flatMap((row) => eventsForAudit(auditFacts(row), passkeys));
}

/** Signs in through the console's sign-in path with a real assertion. */
async function signIn(user: { webauthnUserId: Uint8Array }, passkey: SoftwarePasskey) {
  const context = request();
  const options = await startWorkforceSignIn(context);
  return finishWorkforceSignIn({
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
    request: context,
  });
}

/**
 * A person holding two real passkeys: the first enrolled through recovery, the second added
 * from a session signed in with the first (decision 016).
 */
async function personWithTwoRealPasskeys() {
  const { user, passkey: first } = await userWithSoftwarePasskey();
  const { token } = await signIn(user, first);
  const grant = { kind: "session" as const, token };
  const options = await startPasskeyRegistration({ grant });
  const second = softwarePasskey();
  await finishPasskeyRegistration({ grant, response: second.register(options.challenge) });
  const rowOf = (p: SoftwarePasskey) =>
    db.passkey.findFirstOrThrow({ where: { userId: user.id, credentialId: p.id } });
  return { user, first, second, firstRow: await rowOf(first), secondRow: await rowOf(second) };
}

const reportLinks = async (addresses: string[]) =>
  Promise.all(
    addresses.map(async (a) =>
      linkToken((await messageOfKind(a, "account.changed")).text, "report"),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Which passkey, which name
// ---------------------------------------------------------------------------------------------

describe("the passkey a change names", () => {
  it("refuses another person's passkey for every change, as NOT_FOUND, and leaves theirs alone", async () => {
    const { user, token } = await person({ passkeys: 3 });
    const other = await createWorkforceUser(db, { passkeys: 2 });
    const theirs = other.passkeys[0]!;
    const otherBefore = await stateOf(other.id);
    await expectRefusedAndUnchanged(
      user.id,
      () => renamePasskey({ token, passkeyId: theirs.id, nickname: "Mine now" }),
      "NOT_FOUND",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: theirs.id, confirmLast: true }),
      "NOT_FOUND",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: theirs.id, confirmLast: true }),
      "NOT_FOUND",
    );
    // Never told apart from an id that names nothing.
    const unknown = await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: randomUUID(), confirmLast: true }),
      "NOT_FOUND",
    );
    const foreign = await refused(
      removePasskey({ token, passkeyId: theirs.id, confirmLast: true }),
    );
    expect(foreign.userMessage).toBe(unknown.userMessage);
    expect(await stateOf(other.id)).toEqual(otherBefore);
    // The session that was refused still has its verification: no refusal spends it.
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
  });

  it("refuses a revoked passkey for naming, removing and reporting lost", async () => {
    const { user, token } = await person({ passkeys: 3 });
    const revoked = user.passkeys[0]!;
    await db.passkey.update({
      where: { id: revoked.id },
      data: { status: "REVOKED", revokedAt: new Date(), revokedReason: "LOST" },
    });
    await expectRefusedAndUnchanged(
      user.id,
      () => renamePasskey({ token, passkeyId: revoked.id, nickname: "Back again" }),
      "CONFLICT",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: revoked.id, confirmLast: true }),
      "CONFLICT",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: revoked.id, confirmLast: true }),
      "CONFLICT",
    );
  });

  it("refuses a passkey id that is not a uuid, an array, or missing, before anything runs", () => {
    for (const passkeyId of [
      "1",
      "not-a-uuid",
      "' OR 1=1 --",
      `${randomUUID()}x`,
      "",
      [randomUUID()],
      7,
    ])
      for (const schema of [RenamePasskeySchema, RemovePasskeySchema])
        expect(schema.safeParse({ passkeyId, nickname: "x" }).success).toBe(false);
    expect(RemovePasskeySchema.safeParse({}).success).toBe(false);
  });

  it("a non-uuid id reaching the server changes nothing", async () => {
    const { user, token } = await person();
    const before = await stateOf(user.id);
    await expect(
      renamePasskey({ token, passkeyId: "not-a-uuid", nickname: "x" }),
    ).rejects.toBeDefined();
    await expect(
      removePasskey({ token, passkeyId: "not-a-uuid", confirmLast: true }),
    ).rejects.toBeDefined();
    expect(await stateOf(user.id)).toEqual(before);
  });

  it("refuses names that hide or reorder text, break lines, are too long or are not text", () => {
    const id = randomUUID();
    const refusedNames: unknown[] = [
      "Work\u200Blaptop", // zero-width space
      "Work\u200Dlaptop", // zero-width joiner
      "Work\u2060laptop", // word joiner
      "\u202Epotpal kroW", // right-to-left override
      "Work \u2066laptop\u2069", // isolate
      "Work\u200Flaptop", // right-to-left mark
      "Work\u00ADlaptop", // soft hyphen
      "Work\uFEFFlaptop", // BOM inside
      "Work\nlaptop",
      "Work\r\nlaptop",
      "Work\tlaptop",
      "Work\u2028laptop",
      "Work\u0000laptop",
      "Work\u007Flaptop",
      "Work\u0085laptop",
      "Work\u{E0041}laptop", // tag character
      "Work\uD800laptop", // lone surrogate
      "x".repeat(NICKNAME_MAX + 1),
      "x".repeat(100_000),
      ["Work laptop"],
      { name: "Work laptop" },
      42,
      null,
    ];
    for (const nickname of refusedNames)
      expect(
        RenamePasskeySchema.safeParse({ passkeyId: id, nickname }).success,
        String(nickname),
      ).toBe(false);
    expect(RenamePasskeySchema.parse({ passkeyId: id, nickname: "  Work laptop  " }).nickname).toBe(
      "Work laptop",
    );
    expect(
      RenamePasskeySchema.parse({ passkeyId: id, nickname: "x".repeat(NICKNAME_MAX) }).nickname,
    ).toHaveLength(NICKNAME_MAX);
  });

  it("keeps a name that looks like HTML as plain text, in the database and in the mail", async () => {
    const { user, token, addresses } = await person();
    const html = `<img src=x onerror="alert(1)"><b>Phone</b>`;
    const { nickname } = RenamePasskeySchema.parse({
      passkeyId: user.passkeys[0]!.id,
      nickname: html,
    });
    await renamePasskey({ token, passkeyId: user.passkeys[0]!.id, nickname });
    expect(
      (await db.passkey.findUniqueOrThrow({ where: { id: user.passkeys[0]!.id } })).nickname,
    ).toBe(html);
    for (const address of addresses) {
      const mail = await messageOfKind(address, "account.changed");
      expect(mail.text).toContain(`“${html}”`);
    }
  });

  it("the database refuses a name longer than the rule allows even when the rule is bypassed", async () => {
    const { user } = await person();
    await expect(
      db.passkey.update({
        where: { id: user.passkeys[0]!.id },
        data: { nickname: "x".repeat(NICKNAME_MAX + 1) },
      }),
    ).rejects.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Which session
// ---------------------------------------------------------------------------------------------

describe("the session asking", () => {
  it("refuses a temporary access pass's session for every change", async () => {
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const { token } = await redeemedPassSession({ userId: user.id });
    expect(
      (await db.workforceSession.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } }))
        .method,
    ).toBe("tap");
    // Freshly "verified" or not, a pass's session is not a passkey session.
    await db.workforceSession.update({
      where: { tokenHash: hashToken(token) },
      data: { verifiedAt: new Date() },
    });
    const id = user.passkeys[0]!.id;
    await expectRefusedAndUnchanged(
      user.id,
      () => renamePasskey({ token, passkeyId: id, nickname: "x" }),
      "UNAUTHENTICATED",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: id, confirmLast: true }),
      "UNAUTHENTICATED",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: id, confirmLast: true }),
      "UNAUTHENTICATED",
    );
    await expectRefusedAndUnchanged(user.id, () => signOutEverywhere({ token }), "UNAUTHENTICATED");
  });

  it("refuses an expired and an idle session, audited", async () => {
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const expired = await sessionOf(user.id, { expiresAt: new Date(Date.now() - 1000) });
    const idle = await sessionOf(user.id, {
      lastSeenAt: new Date(
        Date.now() - (ACTIVE_POLICY.lifetimes.workforceIdleMinutes + 1) * 60_000,
      ),
    });
    for (const token of [expired, idle]) {
      await expectRefusedAndUnchanged(
        user.id,
        () => removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
        "UNAUTHENTICATED",
      );
      await expectRefusedAndUnchanged(
        user.id,
        () => signOutEverywhere({ token }),
        "UNAUTHENTICATED",
      );
    }
  });

  it("an ended session (or a made-up token) is counted, not audited, and changes nothing", async () => {
    const { user, token } = await person();
    await db.workforceSession.delete({ where: { tokenHash: hashToken(token) } });
    for (const t of [token, newToken()]) {
      const before = await stateOf(user.id);
      const from = await lastAuditId();
      expect(
        (
          await refused(
            removePasskey({ token: t, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
          )
        ).code,
      ).toBe("UNAUTHENTICATED");
      expect((await refused(signOutEverywhere({ token: t }))).code).toBe("UNAUTHENTICATED");
      expect(await stateOf(user.id)).toEqual(before);
      expect(await auditSince(user.id, from)).toEqual([]);
    }
  });

  it("refuses a leaver, a suspended person and someone past their leaving day", async () => {
    for (const overrides of [
      { status: "LEFT" as const },
      { status: "SUSPENDED" as const },
      { leavingOn: new Date(Date.now() - 3 * 24 * 60 * 60_000) },
    ]) {
      const { user, token } = await person(overrides);
      const id = user.passkeys[0]!.id;
      await expectRefusedAndUnchanged(
        user.id,
        () => renamePasskey({ token, passkeyId: id, nickname: "x" }),
        "LEAVER",
      );
      await expectRefusedAndUnchanged(
        user.id,
        () => removePasskey({ token, passkeyId: id, confirmLast: true }),
        "LEAVER",
      );
      await expectRefusedAndUnchanged(
        user.id,
        () => reportPasskeyLost({ token, passkeyId: id, confirmLast: true }),
        "LEAVER",
      );
      await expectRefusedAndUnchanged(user.id, () => signOutEverywhere({ token }), "LEAVER");
    }
  });

  /**
   * HOLE: the hold that "this wasn't me" puts on the account does not stop removals. The notice
   * promises the link "pauses changes to your account until the service desk has reviewed it";
   * decision 016 refuses additions on hold; nothing refuses a removal. Someone holding one of the
   * person's (synced) passkeys removes one, the owner follows the link, and the same someone
   * signs straight back in and removes the owner's last other passkey while the account is
   * "held" for review.
   */
  it("after 'this wasn't me', the one who made the change cannot sign back in and remove the owner's other passkeys", async () => {
    const { user, first: synced, secondRow: ownersKey } = await personWithTwoRealPasskeys();
    const third = await db.passkey.create({
      data: {
        userId: user.id,
        credentialId: newToken(),
        publicKey: Buffer.from("owner's security key"),
        aaguid: "00000000-0000-0000-0000-000000000000",
        modelName: "Owner's security key",
        backedUp: false,
        transports: ["usb"],
      },
    });
    // The intruder signs in with the synced passkey (user-verified) and removes a passkey.
    const intruder = await signIn(user, synced);
    await removePasskey({ token: intruder.token, passkeyId: third.id, confirmLast: false });
    // The owner follows the link in the notice.
    const address = user.emails[0]!.address;
    const link = linkToken((await messageOfKind(address, "account.changed")).text, "report");
    expect(await repudiateRecovery({ token: link })).toBe("change");
    expect(await db.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })).toBe(1);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);

    // The intruder signs in again and goes for the owner's other passkey.
    const again = await signIn(user, synced);
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token: again.token, passkeyId: ownersKey.id, confirmLast: false }),
      "ON_HOLD",
    );
    expect((await db.passkey.findUniqueOrThrow({ where: { id: ownersKey.id } })).status).toBe(
      "ACTIVE",
    );
  });

  it("a person on hold can still sign out everywhere (it only takes access away)", async () => {
    const { user, token } = await person();
    await db.recoveryHold.create({ data: { userId: user.id, reason: "review" } });
    expect(await signOutEverywhere({ token })).toEqual({ endedSessions: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// The fresh verification
// ---------------------------------------------------------------------------------------------

describe("the fresh verification", () => {
  it("refuses removing and reporting lost with no verification or a stale one; naming needs none", async () => {
    const user = await createWorkforceUser(db, { passkeys: 3 });
    const never = await sessionOf(user.id, { verifiedMinutesAgo: null });
    const stale = await sessionOf(user.id, {
      verifiedMinutesAgo: ACTIVE_POLICY.lifetimes.freshVerificationMinutes + 1,
    });
    for (const token of [never, stale]) {
      await expectRefusedAndUnchanged(
        user.id,
        () => removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
        "UNAUTHENTICATED",
      );
      await expectRefusedAndUnchanged(
        user.id,
        () => reportPasskeyLost({ token, passkeyId: user.passkeys[0]!.id, confirmLast: true }),
        "UNAUTHENTICATED",
      );
    }
    await renamePasskey({ token: never, passkeyId: user.passkeys[0]!.id, nickname: "Old phone" });
  });

  it("one verification removes one passkey: the second removal is refused", async () => {
    const { user, token } = await person({ passkeys: 3 });
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: user.passkeys[1]!.id, confirmLast: false }),
      "UNAUTHENTICATED",
    );
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: user.passkeys[1]!.id, confirmLast: false }),
      "UNAUTHENTICATED",
    );
  });

  it("one verification, two removals at once: exactly one goes through", async () => {
    const { user, token } = await person({ passkeys: 3 });
    const results = await Promise.allSettled([
      removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      removePasskey({ token, passkeyId: user.passkeys[1]!.id, confirmLast: false }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((failure.reason as DomainError).code).toBe("UNAUTHENTICATED");
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(2);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "account.change_refused" },
      }),
    ).toBe(1);
  });

  it("a verification belongs to its session: another session of the same person cannot use it", async () => {
    const { user, token: fresh } = await person({ passkeys: 3 });
    const other = await sessionOf(user.id, { verifiedMinutesAgo: null });
    await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token: other, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
      "UNAUTHENTICATED",
    );
    await removePasskey({ token: fresh, passkeyId: user.passkeys[0]!.id, confirmLast: false });
  });
});

// ---------------------------------------------------------------------------------------------
// The last passkey and the races
// ---------------------------------------------------------------------------------------------

describe("the last passkey", () => {
  it("accepts only 'on' or 'true' as the confirmation; anything else is refused or means unconfirmed", () => {
    const id = randomUUID();
    expect(RemovePasskeySchema.parse({ passkeyId: id }).confirmLast).toBe(false);
    expect(RemovePasskeySchema.parse({ passkeyId: id, confirmLast: "on" }).confirmLast).toBe(true);
    expect(RemovePasskeySchema.parse({ passkeyId: id, confirmLast: "true" }).confirmLast).toBe(
      true,
    );
    for (const confirmLast of [
      "false",
      "0",
      "on ",
      " on",
      "ON",
      "True",
      "1",
      "yes",
      "",
      ["on"],
      true,
      1,
    ])
      expect(
        RemovePasskeySchema.safeParse({ passkeyId: id, confirmLast }).success,
        JSON.stringify(confirmLast),
      ).toBe(false);
  });

  it("refuses the last passkey unconfirmed, for removing and reporting lost, changing nothing", async () => {
    const { user, token } = await person({ passkeys: 1 });
    const id = user.passkeys[0]!.id;
    const error = await expectRefusedAndUnchanged(
      user.id,
      () => removePasskey({ token, passkeyId: id, confirmLast: false }),
      "CONFLICT",
    );
    expect(error.userMessage).toMatch(/This is your last passkey/);
    await expectRefusedAndUnchanged(
      user.id,
      () => reportPasskeyLost({ token, passkeyId: id, confirmLast: false }),
      "CONFLICT",
    );
    expect(await removePasskey({ token, passkeyId: id, confirmLast: true })).toEqual({
      last: true,
    });
  });

  it("two removals, or a removal and a lost report, of the last two at once, unconfirmed: exactly one goes through", async () => {
    for (const second of [removePasskey, reportPasskeyLost]) {
      const { user } = await person();
      const [a, b] = user.passkeys;
      const [one, two] = [await sessionOf(user.id), await sessionOf(user.id)];
      const results = await Promise.allSettled([
        removePasskey({ token: one, passkeyId: a!.id, confirmLast: false }),
        second({ token: two, passkeyId: b!.id, confirmLast: false }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      // Refused by the last-passkey rule, or (the lost report first) because it ended the session.
      expect((failure.reason as DomainError).userMessage).toMatch(
        /This is your last passkey|Your session has ended/,
      );
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
      expect(
        await db.auditEvent.count({
          where: { subjectUserId: user.id, action: "account.change_refused" },
        }),
      ).toBe(1);
    }
  });

  it("a removal at the same time as an agent's revoke-all: everything ends revoked, nothing is left half-done", async () => {
    for (let round = 0; round < 3; round++) {
      const { user, token } = await person({ passkeys: 3 });
      const agent = await actor("AGENT");
      const results = await Promise.allSettled([
        removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false }),
        revokePasskeys({
          actor: agent,
          userId: user.id,
          request: { scope: "ALL" },
          reason: "STOLEN",
        }),
      ]);
      expect(results[1]!.status).toBe("fulfilled");
      if (results[0]!.status === "rejected")
        expect((results[0].reason as DomainError).code).toMatch(/CONFLICT|UNAUTHENTICATED/);
      expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(0);
      const removed = await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "account.passkey_removed" },
      });
      expect(removed).toBe(results[0]!.status === "fulfilled" ? 1 : 0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Reporting lost, with real passkeys
// ---------------------------------------------------------------------------------------------

describe("after a device is reported lost", () => {
  it("its passkey no longer signs in nor confirms it's you, and every other session is over", async () => {
    const { user, first: lost, second: kept, firstRow } = await personWithTwoRealPasskeys();
    const onLostDevice = await signIn(user, lost);
    const here = await signIn(user, kept);
    await reportPasskeyLost({ token: here.token, passkeyId: firstRow.id, confirmLast: false });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    // The session on the lost device is over: it can change nothing.
    expect((await refused(signOutEverywhere({ token: onLostDevice.token }))).code).toBe(
      "UNAUTHENTICATED",
    );
    expect((await refused(startWorkforceReverification({ token: onLostDevice.token }))).code).toBe(
      "UNAUTHENTICATED",
    );
    // The lost passkey does not sign in.
    expect((await refused(signIn(user, lost))).code).toBe("INVALID_INPUT");
    // Signed in again with the kept one, "Confirm it's you" with the lost one fails.
    const again = await signIn(user, kept);
    await db.workforceSession.update({
      where: { tokenHash: hashToken(again.token) },
      data: { verifiedAt: null },
    });
    const options = await startWorkforceReverification({ token: again.token });
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([kept.id]);
    const error = await refused(
      finishWorkforceReverification({
        token: again.token,
        response: lost.authenticate(options.challenge),
      }),
    );
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(
      (
        await db.workforceSession.findUniqueOrThrow({
          where: { tokenHash: hashToken(again.token) },
        })
      ).verifiedAt,
    ).toBeNull();
    // ... and with the kept one it works.
    const retry = await startWorkforceReverification({ token: again.token });
    await finishWorkforceReverification({
      token: again.token,
      response: kept.authenticate(retry.challenge),
    });
  });

  it("a removed (not lost) passkey no longer signs in either, and the sessions stay", async () => {
    const { user, first: removed, second: kept, firstRow } = await personWithTwoRealPasskeys();
    const here = await signIn(user, kept);
    expect(
      await removePasskey({ token: here.token, passkeyId: firstRow.id, confirmLast: false }),
    ).toEqual({ last: false });
    expect((await refused(signIn(user, removed))).code).toBe("INVALID_INPUT");
    expect(await db.workforceSession.count({ where: { tokenHash: hashToken(here.token) } })).toBe(
      1,
    );
  });

  it("a sign-in with the passkey racing its lost report never leaves a live session", async () => {
    for (let round = 0; round < 3; round++) {
      const { user, first: lost, second: kept, firstRow } = await personWithTwoRealPasskeys();
      const here = await signIn(user, kept);
      const context = request();
      const options = await startWorkforceSignIn(context);
      const [report, signInResult] = await Promise.allSettled([
        reportPasskeyLost({ token: here.token, passkeyId: firstRow.id, confirmLast: false }),
        finishWorkforceSignIn({
          response: lost.authenticate(options.challenge, user.webauthnUserId),
          request: context,
        }),
      ]);
      expect(report.status).toBe("fulfilled");
      expect((await db.passkey.findUniqueOrThrow({ where: { id: firstRow.id } })).status).toBe(
        "REVOKED",
      );
      // Whichever came first, no session of the person survives.
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      if (signInResult.status === "fulfilled")
        expect((await refused(signOutEverywhere({ token: signInResult.value.token }))).code).toBe(
          "UNAUTHENTICATED",
        );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Notices and Shared Signals
// ---------------------------------------------------------------------------------------------

describe("the notices", () => {
  it("every verified address gets exactly one per change, each with its own link and no secret; unverified get none", async () => {
    const { user, token, addresses, unverified } = await person({ passkeys: 3 });
    const session = await db.workforceSession.findUniqueOrThrow({
      where: { tokenHash: hashToken(token) },
    });
    const changes: [string, () => Promise<unknown>][] = [
      [
        "renamed",
        () => renamePasskey({ token, passkeyId: user.passkeys[0]!.id, nickname: "Tablet" }),
      ],
      [
        "removed",
        () => removePasskey({ token, passkeyId: user.passkeys[1]!.id, confirmLast: false }),
      ],
    ];
    for (const [, run] of changes) {
      const from = await db.outboxMessage.count({ where: { subjectUserId: user.id } });
      await run();
      const mails = await db.outboxMessage.findMany({
        where: { subjectUserId: user.id },
        orderBy: { createdAt: "asc" },
        skip: from,
      });
      expect(mails.map((m) => m.toAddress).sort()).toEqual([...addresses].sort());
      expect(mails.every((m) => m.kind === "account.changed")).toBe(true);
      const texts = await Promise.all(
        addresses.map(async (a) => (await messageOfKind(a, "account.changed")).text),
      );
      const tokens = texts.map((t) => linkToken(t, "report"));
      expect(new Set(tokens).size).toBe(addresses.length);
      for (const [i, text] of texts.entries()) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(session.tokenHash);
        for (const [j, other] of tokens.entries()) if (i !== j) expect(text).not.toContain(other);
        expect(text.match(/\/report\//g)).toHaveLength(1);
      }
    }
    expect(await db.outboxMessage.count({ where: { toAddress: unverified } })).toBe(0);
    // A lost report and signing out everywhere are told too, after a new verified session.
    const fresh = await sessionOf(user.id);
    await reportPasskeyLost({ token: fresh, passkeyId: user.passkeys[2]!.id, confirmLast: true });
    await signOutEverywhere({ token: await sessionOf(user.id) });
    for (const address of addresses)
      expect(
        await db.outboxMessage.count({ where: { toAddress: address, kind: "account.changed" } }),
      ).toBe(4);
    expect(await db.outboxMessage.count({ where: { toAddress: unverified } })).toBe(0);
  });
});

describe("Shared Signals", () => {
  it("a removal and a lost report send a credential-change revoke by the user; a rename sends nothing", async () => {
    const { user, token } = await person({ passkeys: 3 });
    const from = await lastAuditId();
    await renamePasskey({ token, passkeyId: user.passkeys[0]!.id, nickname: "Laptop" });
    const renamed = await auditSince(user.id, from);
    expect(await ssfEventsOf(renamed)).toEqual([]);

    const beforeRemove = await lastAuditId();
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    const removed = await ssfEventsOf(await auditSince(user.id, beforeRemove));
    expect(removed.map((e) => e.type)).toEqual([SSF_EVENT_TYPES.credentialChange]);
    expect(removed[0]!.claims).toMatchObject({ change_type: "revoke", initiating_entity: "user" });

    const beforeLost = await lastAuditId();
    await reportPasskeyLost({
      token: await sessionOf(user.id),
      passkeyId: user.passkeys[1]!.id,
      confirmLast: false,
    });
    const lost = await ssfEventsOf(await auditSince(user.id, beforeLost));
    expect(lost.map((e) => e.type)).toEqual([
      SSF_EVENT_TYPES.credentialChange,
      SSF_EVENT_TYPES.sessionRevoked,
    ]);
    expect(lost[0]!.claims).toMatchObject({
      change_type: "revoke",
      initiating_entity: "user",
      fido2_aaguid: user.passkeys[1]!.aaguid,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// "This wasn't me"
// ---------------------------------------------------------------------------------------------

describe("'this wasn't me' about a change", () => {
  it("works once: the same link twice, or the other address's link after it, is refused and audited", async () => {
    await createStaff(db, { role: "SECURITY" });
    const { user, token, addresses } = await person({ passkeys: 3 });
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    const [first, second] = await reportLinks(addresses);
    expect(await repudiateRecovery({ token: first!, request: request() })).toBe("change");
    const holds = await db.recoveryHold.count({ where: { userId: user.id } });
    for (const link of [first!, second!]) {
      const from = await lastAuditId();
      expect((await refused(repudiateRecovery({ token: link, request: request() }))).code).toBe(
        "SEQUENCE",
      );
      expect((await auditSince(user.id, from)).map((r) => [r.action, r.outcome])).toEqual([
        ["case.repudiation_refused", "REFUSED"],
      ]);
    }
    expect(await db.recoveryHold.count({ where: { userId: user.id } })).toBe(holds);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "account.change_repudiated" },
      }),
    ).toBe(1);
  });

  it("both addresses' links at once: one report, one hold", async () => {
    const { user, token, addresses } = await person({ passkeys: 3 });
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    const links = await reportLinks(addresses);
    const results = await Promise.allSettled(
      links.map((link) => repudiateRecovery({ token: link, request: request() })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.recoveryHold.count({ where: { userId: user.id } })).toBe(1);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "account.change_repudiated" },
      }),
    ).toBe(1);
  });

  it("a rename's link used after a later recovery still holds the account: what that recovery issued is voided and nothing more is opened or issued", async () => {
    const { user, token, addresses } = await person({ passkeys: 2 });
    await renamePasskey({ token, passkeyId: user.passkeys[0]!.id, nickname: "Laptop" });
    const [link] = await reportLinks(addresses);
    // Recovered again through the desk afterwards: a verified case and an issued pass.
    const { agent, caseId } = await verifiedStandardCase({ userId: user.id });
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });

    expect(await repudiateRecovery({ token: link!, request: request() })).toBe("change");
    const row = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "account.change_repudiated" },
    });
    expect(row.data).toMatchObject({ change: "renamed", voided: { passes: 1 } });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    // The hold holds: no pass on the open case, no new case.
    expect(
      (await refused(issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false })))
        .code,
    ).toBe("ON_HOLD");
    expect(
      (
        await refused(
          openCase({
            actor: agent,
            userId: user.id,
            reason: "LOST_DEVICE",
            channel: "PHONE",
            callerClaim: "Lost my phone",
          }),
        )
      ).code,
    ).toBe("ON_HOLD");
  });

  it("a sign-out's link (no passkey named) holds the account; no passkey is changed", async () => {
    const { user, token, addresses } = await person();
    await signOutEverywhere({ token });
    const before = await db.passkey.findMany({
      where: { userId: user.id },
      orderBy: { id: "asc" },
    });
    const [link] = await reportLinks(addresses);
    expect(await getRepudiation(link!)).toMatchObject({
      kind: "change",
      change: "signed_out",
      model: null,
    });
    expect(await repudiateRecovery({ token: link!, request: request() })).toBe("change");
    expect(await db.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })).toBe(1);
    expect(
      await db.passkey.findMany({ where: { userId: user.id }, orderBy: { id: "asc" } }),
    ).toEqual(before);
  });

  it("tells a used link from a made-up one in nothing the holder sees", async () => {
    const { user, token, addresses } = await person({ passkeys: 3 });
    await removePasskey({ token, passkeyId: user.passkeys[0]!.id, confirmLast: false });
    const [used] = await reportLinks(addresses);
    await repudiateRecovery({ token: used!, request: request() });
    const made = newToken();
    expect(await getRepudiation(used!)).toBeNull();
    expect(await getRepudiation(made)).toBeNull();
    const a = await refused(repudiateRecovery({ token: used!, request: request() }));
    const b = await refused(repudiateRecovery({ token: made, request: request() }));
    expect([a.code, a.userMessage]).toEqual([b.code, b.userMessage]);
    // A made-up link names nobody: nothing is audited about anyone.
    const from = await lastAuditId();
    await refused(repudiateRecovery({ token: newToken(), request: request() }));
    expect(
      await db.auditEvent.count({ where: { id: { gt: from }, subjectUserId: { not: null } } }),
    ).toBe(0);
  });
});
