/**
 * The stop paths' writes folded into fewer statements (docs/decisions/044): a recovery code's
 * session and the person's live code set are voided in voidRecovery's one statement, a notice to
 * several addresses is queued in one INSERT, and a revocation revokes, records and ends sessions
 * in one statement. Each keeps what the separate statements did, instant for instant, in a
 * session whose time zone is far from UTC.
 */
import { describe, expect, it } from "vitest";
import { passkeysRevokedNotice } from "@/lib/domain/notifications";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { voidRecovery } from "@/lib/server/cases/void-recovery";
import { enqueueMessages } from "@/lib/server/enqueue-message";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { unseal } from "@/lib/server/sealed";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import { codeSession, inFarTimeZone, passkeySession, selfServiceCase } from "@/tests/recovery";

const later = () => new Date(Date.now() + 3600_000);

describe("recovery codes in voidRecovery's one statement", () => {
  it("ends a code's session and its ceremony in every stop, and voids the live set only when asked, at the instant given", async () => {
    const user = await createWorkforceUser(db, {});
    const kase = await selfServiceCase(user.id);
    const otherCase = await selfServiceCase(user.id);
    const live = await db.recoveryCodeSet.create({ data: { userId: user.id } });
    const replaced = await db.recoveryCodeSet.create({
      data: { userId: user.id, replacedAt: new Date(Date.now() - 60_000) },
    });

    // A case's stop: that case's code session only; the codes stay (a hold refuses them).
    const first = await codeSession(user.id, kase.id);
    const second = await codeSession(user.id, otherCase.id);
    const caseNow = new Date(Date.now() - 4321);
    const caseVoided = await inFarTimeZone((tx) =>
      voidRecovery(tx, { caseId: kase.id }, { reason: "closed", now: caseNow }),
    );
    expect(caseVoided).toMatchObject({ codeSessions: 1, passSessions: 0, challenges: 1 });
    expect(await db.workforceSession.findUnique({ where: { id: first.session.id } })).toBeNull();
    expect(
      (await db.webAuthnChallenge.findUniqueOrThrow({ where: { id: first.challenge.id } })).usedAt,
    ).toEqual(caseNow);
    expect(
      await db.workforceSession.findUnique({ where: { id: second.session.id } }),
    ).not.toBeNull();
    expect(
      (await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: live.id } })).voidedAt,
    ).toBeNull();

    // A person's stop without `codes`: the session ends (and is counted), the set stays.
    const personVoided = await inFarTimeZone((tx) =>
      voidRecovery(tx, { userId: user.id }, { reason: "x", now: new Date() }),
    );
    expect(personVoided).toMatchObject({ codeSessions: 1, challenges: 1 });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      (await db.webAuthnChallenge.findUniqueOrThrow({ where: { id: second.challenge.id } })).usedAt,
    ).not.toBeNull();
    expect(
      (await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: live.id } })).voidedAt,
    ).toBeNull();

    // A person's stop with `codes`: the live set is voided, at the instant, with the reason.
    const codesNow = new Date(Date.now() - 999);
    await inFarTimeZone((tx) =>
      voidRecovery(
        tx,
        { userId: user.id },
        { reason: "reported by the user as not them", now: codesNow, codes: true },
      ),
    );
    expect(await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({
      voidedAt: codesNow,
      voidReason: "reported by the user as not them",
    });
    // A set already replaced keeps its own history.
    expect(
      (await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: replaced.id } })).voidedAt,
    ).toBeNull();
  });

  it("refuses to void codes for a case scope (codes belong to the person), changing nothing", async () => {
    const user = await createWorkforceUser(db, {});
    const kase = await selfServiceCase(user.id);
    const set = await db.recoveryCodeSet.create({ data: { userId: user.id } });
    await expect(
      inFarTimeZone((tx) =>
        voidRecovery(tx, { caseId: kase.id }, { reason: "x", now: new Date(), codes: true }),
      ),
    ).rejects.toThrow(/user scope/);
    expect(
      (await db.recoveryCodeSet.findUniqueOrThrow({ where: { id: set.id } })).voidedAt,
    ).toBeNull();
  });
});

describe("the sessions a stop reports", () => {
  it("a leaver's ended sessions include the one a recovery code opened, and the event says so", async () => {
    const user = await createWorkforceUser(db, {});
    const kase = await selfServiceCase(user.id);
    await codeSession(user.id, kase.id);
    await passkeySession(user.id);
    const result = await changeEmploymentStatus({
      actor: { type: "SYSTEM", name: "HR feed" },
      userId: user.id,
      status: "LEFT",
    });
    expect(result.endedSessions).toBe(2);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "workforce.status_changed" },
    });
    expect(event.data).toMatchObject({
      endedSessions: 2,
      voided: { codeSessions: 1, passSessions: 0, challenges: 1 },
    });
  });
});

describe("one notice to several addresses", () => {
  it("queues one row per address, each sealed on its own, at the moment in UTC", async () => {
    const user = await createWorkforceUser(db, {});
    const stamp = Date.now();
    const to = [`a-${stamp}@northwind.example`, `b-${stamp}@northwind.example`];
    const message = passkeysRevokedNotice({ name: "Ada", count: 2, all: true, reason: "Lost" });
    const before = Date.now();
    await inFarTimeZone((tx) => enqueueMessages(tx, { to, message, subjectUserId: user.id }));
    const after = Date.now();
    const rows = await db.outboxMessage.findMany({
      where: { toAddress: { in: to } },
      orderBy: { toAddress: "asc" },
    });
    expect(rows.map((row) => row.toAddress)).toEqual(to);
    expect(rows[0]!.body).not.toBe(rows[1]!.body);
    for (const row of rows) {
      expect(row).toMatchObject({
        kind: message.kind,
        subject: message.subject,
        subjectUserId: user.id,
        caseId: null,
        sentAt: null,
        attempts: 0,
      });
      expect(unseal(row.body)).toBe(message.body);
      // Written as the instant, not as the Chatham wall clock read as UTC.
      expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(row.createdAt.getTime()).toBeLessThanOrEqual(after);
      expect(row.availableAt).toEqual(row.createdAt);
    }
    // No address, no statement and no row.
    await inFarTimeZone((tx) => enqueueMessages(tx, { to: [], message }));
    expect(await db.outboxMessage.count({ where: { toAddress: { in: to } } })).toBe(2);
  });
});

describe("a revocation's one statement", () => {
  it("revoke-all revokes every active passkey, records one Revocation, ends every session, and tells each verified address once", async () => {
    const agent = await createStaff(db, { role: "AGENT" });
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const stamp = Date.now();
    await db.workforceEmail.createMany({
      data: [
        { userId: user.id, address: `home-${stamp}@example.org`, kind: "personal", verified: true },
        { userId: user.id, address: `old-${stamp}@example.org`, kind: "personal", verified: false },
      ],
    });
    const verified = await db.workforceEmail.findMany({
      where: { userId: user.id, verified: true },
      select: { address: true },
    });
    await passkeySession(user.id);
    await passkeySession(user.id);
    const before = Date.now();
    const result = await revokePasskeys({
      actor: { ...agent, sessionExpires: later() },
      userId: user.id,
      request: { scope: "ALL" },
      reason: "LOST",
    });
    expect(result).toEqual({ revoked: 2 });
    const passkeys = await db.passkey.findMany({ where: { userId: user.id } });
    expect(passkeys.map((p) => [p.status, p.revokedReason, p.revokedById])).toEqual([
      ["REVOKED", "LOST", agent.id],
      ["REVOKED", "LOST", agent.id],
    ]);
    for (const passkey of passkeys)
      expect(passkey.revokedAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
    const revocations = await db.revocation.findMany({ where: { userId: user.id } });
    expect(revocations).toHaveLength(1);
    expect(revocations[0]).toMatchObject({
      scope: "ALL",
      passkeyId: null,
      caseId: null,
      reason: "LOST",
      actorId: agent.id,
    });
    expect(revocations[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "passkey.revoked" },
    });
    expect(event.data).toMatchObject({ revokedPasskeys: 2, endedSessions: 2 });
    const outbox = await db.outboxMessage.findMany({ where: { subjectUserId: user.id } });
    expect(outbox.map((row) => row.toAddress).sort()).toEqual(
      verified.map((email) => email.address).sort(),
    );
  });

  it("revoking one passkey records a Revocation naming it, and leaves the other active", async () => {
    const agent = await createStaff(db, { role: "AGENT" });
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const [target, kept] = await db.passkey.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: "asc" },
    });
    await revokePasskeys({
      actor: { ...agent, sessionExpires: later() },
      userId: user.id,
      request: { scope: "ONE", passkeyId: target!.id },
      reason: "SUSPECTED_COMPROMISE",
    });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: target!.id } })).status).toBe(
      "REVOKED",
    );
    expect((await db.passkey.findUniqueOrThrow({ where: { id: kept!.id } })).status).toBe("ACTIVE");
    expect(await db.revocation.findMany({ where: { userId: user.id } })).toEqual([
      expect.objectContaining({ scope: "ONE", passkeyId: target!.id }),
    ]);
  });
});
