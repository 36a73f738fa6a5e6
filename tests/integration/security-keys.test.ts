/**
 * Security keys (issue 15, part D; docs/decisions/039), on a real database with real WebAuthn
 * ceremonies (a software authenticator answering with the key's AAGUID): issuing runs under the
 * case's gates and each refused path is refused and audited; returning and losing revoke the
 * key's passkey at once and sign-in with it is refused; a leaver's key shows as due for return.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { eventsForAudit, SSF_EVENT_TYPES } from "@/lib/domain/ssf/events";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { finishSecurityKeyIssue, startSecurityKeyIssue } from "@/lib/server/issue-security-key";
import { openCase } from "@/lib/server/open-case";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordStep } from "@/lib/server/record-step";
import { addSecurityKey, listSecurityKeys, takeBackSecurityKey } from "@/lib/server/security-keys";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import { db } from "@/tests/db";
import {
  actor,
  confirmAsManager,
  linkToken,
  messageOfKind,
  userWithManager,
} from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";

const YUBIKEY = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
let serials = 0;

async function keyInStock() {
  const security = await actor("SECURITY");
  const serial = `YK-T${Date.now() % 100000}${serials++}`;
  const { keyId } = await addSecurityKey({ actor: security, serial, aaguid: YUBIKEY });
  return { keyId, serial, security };
}

/** A frontline person at the desk: a walk-in case, ID checked in person, record and shift lead confirmed. */
async function verifiedWalkIn(
  options: { channel?: "WALK_IN" | "PHONE"; idChecked?: boolean } = {},
) {
  const agent = await actor("AGENT");
  const { user, manager } = await userWithManager({ riskTier: "FRONTLINE", passkeys: 0 });
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: options.channel ?? "WALK_IN",
    callerClaim: "Needs a key for the shared till",
  });
  await recordStep({
    actor: agent,
    caseId,
    kind: options.idChecked === false ? "CALLBACK" : "ID_DOCUMENT",
    outcome: "PASSED",
    note: "Badge photo matches",
  });
  await recordStep({ actor: agent, caseId, kind: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" });
  await confirmAsManager(caseId, agent, manager.emails[0]!.address);
  return { agent, user, manager, caseId };
}

async function issue(
  walkIn: Awaited<ReturnType<typeof verifiedWalkIn>>,
  keyId: string,
  aaguid = YUBIKEY,
) {
  const options = await startSecurityKeyIssue({
    actor: walkIn.agent,
    caseId: walkIn.caseId,
    keyId,
  });
  const key = softwarePasskey({ aaguid });
  const done = await finishSecurityKeyIssue({
    actor: walkIn.agent,
    caseId: walkIn.caseId,
    keyId,
    response: key.register(options.challenge),
  });
  return { key, ...done };
}

async function signIn(key: ReturnType<typeof softwarePasskey>, userHandle: Uint8Array) {
  const options = await startWorkforceSignIn();
  return finishWorkforceSignIn({ response: key.authenticate(options.challenge, userHandle) });
}

async function refusalsOn(caseId: string) {
  return db.auditEvent.findMany({
    where: { caseId, action: "case.action_refused", outcome: "REFUSED" },
    select: { reason: true, data: true },
  });
}

describe("issuing a security key from a verified walk-in case", () => {
  it("enrols the key as the person's passkey, audited, told at every address with 'this wasn't me', and they sign in with it", async () => {
    const { keyId, serial } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    const { key, passkeyId } = await issue(walkIn, keyId);

    const stored = await db.securityKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(stored).toMatchObject({
      status: "ISSUED",
      userId: walkIn.user.id,
      passkeyId,
      caseId: walkIn.caseId,
    });
    expect(await db.passkey.findUniqueOrThrow({ where: { id: passkeyId } })).toMatchObject({
      userId: walkIn.user.id,
      status: "ACTIVE",
      aaguid: YUBIKEY,
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: walkIn.caseId } })).status).toBe(
      "REENROLLED",
    );
    const actions = await db.auditEvent.findMany({
      where: { caseId: walkIn.caseId, outcome: "ALLOWED" },
      orderBy: { id: "asc" },
      select: { action: true, actorId: true, data: true },
    });
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(["passkey.enrolled", "securitykey.issued"]),
    );
    expect(actions.find((a) => a.action === "passkey.enrolled")).toMatchObject({
      actorId: walkIn.agent.id,
      data: expect.objectContaining({ via: "key", aaguid: YUBIKEY }),
    });
    const notice = await messageOfKind(
      walkIn.user.emails[0]!.address,
      "passkey.enrolled",
      walkIn.caseId,
    );
    expect(notice.text).toContain(serial);
    expect(linkToken(notice.text, "report")).toHaveLength(43);

    const session = await signIn(key, walkIn.user.webauthnUserId);
    expect(session.token).toBeTruthy();
  });

  it("refuses a phone case: the person must be at the desk", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn({ channel: "PHONE" });
    await expect(
      startSecurityKeyIssue({ actor: walkIn.agent, caseId: walkIn.caseId, keyId }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await refusalsOn(walkIn.caseId)).toContainEqual(
      expect.objectContaining({ reason: "FORBIDDEN" }),
    );
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: keyId } })).status).toBe(
      "IN_STOCK",
    );
  });

  it("refuses a walk-in whose photo ID was not checked in person", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn({ idChecked: false });
    await expect(
      startSecurityKeyIssue({ actor: walkIn.agent, caseId: walkIn.caseId, keyId }),
    ).rejects.toMatchObject({ code: "VERIFICATION_INCOMPLETE" });
  });

  it("refuses a person on hold", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    await db.recoveryHold.create({
      data: { userId: walkIn.user.id, reason: "Re-enrolment denied by a supervisor" },
    });
    await expect(
      startSecurityKeyIssue({ actor: walkIn.agent, caseId: walkIn.caseId, keyId }),
    ).rejects.toBeInstanceOf(DomainError);
    expect(await refusalsOn(walkIn.caseId)).toHaveLength(1);
  });

  it("refuses a case a red flag stopped, even between the start and the finish", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    const options = await startSecurityKeyIssue({
      actor: walkIn.agent,
      caseId: walkIn.caseId,
      keyId,
    });
    await raiseRedFlag({
      actor: walkIn.agent,
      caseId: walkIn.caseId,
      kind: "DETAILS_MISMATCH",
      note: "Badge photo did not match on a second look",
    });
    await expect(
      finishSecurityKeyIssue({
        actor: walkIn.agent,
        caseId: walkIn.caseId,
        keyId,
        response: softwarePasskey({ aaguid: YUBIKEY }).register(options.challenge),
      }),
    ).rejects.toBeInstanceOf(DomainError);
    expect(await db.passkey.count({ where: { userId: walkIn.user.id } })).toBe(0);
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: keyId } })).status).toBe(
      "IN_STOCK",
    );
  });

  it("refuses a case an open fraud signal stops", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    await db.fraudSignal.create({
      data: {
        rules: ["shared-contact"],
        keys: [`test:${walkIn.caseId}`],
        summary: "One number on several people's calls",
        effect: "stop",
        cases: { create: { caseId: walkIn.caseId, effect: "stop" } },
      },
    });
    await expect(
      startSecurityKeyIssue({ actor: walkIn.agent, caseId: walkIn.caseId, keyId }),
    ).rejects.toBeInstanceOf(DomainError);
    expect(await refusalsOn(walkIn.caseId)).toHaveLength(1);
  });

  it("refuses a leaver", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    await db.workforceUser.update({ where: { id: walkIn.user.id }, data: { status: "LEFT" } });
    await expect(
      startSecurityKeyIssue({ actor: walkIn.agent, caseId: walkIn.caseId, keyId }),
    ).rejects.toBeInstanceOf(DomainError);
  });

  it("refuses a closed case", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    await db.recoveryCase.update({ where: { id: walkIn.caseId }, data: { status: "CLOSED" } });
    await expect(
      startSecurityKeyIssue({ actor: walkIn.agent, caseId: walkIn.caseId, keyId }),
    ).rejects.toMatchObject({ code: "SEQUENCE" });
  });

  it("refuses a key that answers with another model's AAGUID, and a key not in stock", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    await expect(
      issue(walkIn, keyId, "ee882879-721c-4913-9775-3dfcce97072a"),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await db.passkey.count({ where: { userId: walkIn.user.id } })).toBe(0);

    await issue(walkIn, keyId);
    const other = await verifiedWalkIn();
    await expect(
      startSecurityKeyIssue({ actor: other.agent, caseId: other.caseId, keyId }),
    ).rejects.toMatchObject({ code: "SEQUENCE" });
  });

  it("refuses a security reviewer (issuing works a case)", async () => {
    const { keyId, security } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    await expect(
      startSecurityKeyIssue({ actor: security, caseId: walkIn.caseId, keyId }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("taking a key back", () => {
  it("lost: the key's passkey is revoked at once (reason LOST, named for Shared Signals) and sign-in with it is refused", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    const { key, passkeyId } = await issue(walkIn, keyId);
    await signIn(key, walkIn.user.webauthnUserId);

    expect(await takeBackSecurityKey({ actor: walkIn.agent, keyId, move: "lose" })).toEqual({
      revoked: 1,
    });
    expect(await db.securityKey.findUniqueOrThrow({ where: { id: keyId } })).toMatchObject({
      status: "LOST",
      lostAt: expect.any(Date),
    });
    expect(await db.passkey.findUniqueOrThrow({ where: { id: passkeyId } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "LOST",
    });
    expect(await db.workforceSession.count({ where: { userId: walkIn.user.id } })).toBe(0);
    const revoked = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: walkIn.user.id, action: "passkey.revoked" },
    });
    expect(revoked.data).toMatchObject({ scope: "ONE", reason: "LOST", passkeyIds: [passkeyId] });
    // What Shared Signals derives from that row: a credential-change "revoke" for the key.
    const stored = await db.passkey.findUniqueOrThrow({ where: { id: passkeyId } });
    const events = eventsForAudit(
      {
        action: revoked.action,
        outcome: revoked.outcome,
        actorType: revoked.actorType,
        subjectUserId: revoked.subjectUserId,
        targetType: revoked.targetType,
        targetId: revoked.targetId,
        createdAt: revoked.createdAt,
        data: revoked.data as Record<string, unknown>,
      },
      new Map([[passkeyId, stored]]),
    );
    expect(events.map((e) => [e.type, e.claims.change_type])).toContainEqual([
      SSF_EVENT_TYPES.credentialChange,
      "revoke",
    ]);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: walkIn.user.id, action: "securitykey.lost" },
      }),
    ).toBe(1);

    await expect(signIn(key, walkIn.user.webauthnUserId)).rejects.toBeInstanceOf(DomainError);
  });

  it("returned: revoked with reason RETURNED; the key may go out again", async () => {
    const { keyId } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    const { passkeyId } = await issue(walkIn, keyId);
    await takeBackSecurityKey({ actor: walkIn.agent, keyId, move: "return" });
    expect(await db.passkey.findUniqueOrThrow({ where: { id: passkeyId } })).toMatchObject({
      status: "REVOKED",
      revokedReason: "RETURNED",
    });
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: keyId } })).status).toBe(
      "RETURNED",
    );
    await expect(
      takeBackSecurityKey({ actor: walkIn.agent, keyId, move: "return" }),
    ).rejects.toMatchObject({ code: "SEQUENCE" });
    const next = await verifiedWalkIn();
    await issue(next, keyId);
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: keyId } })).userId).toBe(
      next.user.id,
    );
  });

  it("a leaver's key is due for return, and sign-in with it is refused", async () => {
    const { keyId, serial } = await keyInStock();
    const walkIn = await verifiedWalkIn();
    const { key } = await issue(walkIn, keyId);
    expect((await listSecurityKeys("due")).map((row) => row.serial)).not.toContain(serial);

    await changeEmploymentStatus({
      actor: { type: "SYSTEM", name: "HR feed" },
      userId: walkIn.user.id,
      status: "LEFT",
      leavingOn: new Date(Date.now() - 86_400_000),
    });
    const due = await listSecurityKeys("due");
    expect(due.find((row) => row.serial === serial)).toMatchObject({
      dueForReturn: true,
      holder: expect.objectContaining({ id: walkIn.user.id, leaver: true }),
    });
    await expect(signIn(key, walkIn.user.webauthnUserId)).rejects.toBeInstanceOf(DomainError);

    await takeBackSecurityKey({ actor: walkIn.agent, keyId, move: "return" });
    expect((await listSecurityKeys("due")).map((row) => row.serial)).not.toContain(serial);
  });
});

describe("the stock", () => {
  it("is managed by security reviewers: a duplicate serial and an agent are refused, audited", async () => {
    const { serial } = await keyInStock();
    const security = await actor("SECURITY");
    await expect(
      addSecurityKey({ actor: security, serial: serial.toLowerCase(), aaguid: YUBIKEY }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const agent = await actor("AGENT");
    await expect(
      addSecurityKey({ actor: agent, serial: "YK-AGENT1", aaguid: YUBIKEY }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(
      await db.auditEvent.count({
        where: { action: "securitykey.refused", actorId: { in: [security.id, agent.id] } },
      }),
    ).toBe(2);
    expect(await db.securityKey.count({ where: { serial: "YK-AGENT1" } })).toBe(0);
  });
});
