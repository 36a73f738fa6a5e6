/**
 * The bypasses an attacker's review found (docs/decisions/013-gates-that-hold.md), each replayed
 * through the real use cases and now refused. A refusal is the specific DomainError, no new way
 * in for the person (an active passkey, a session, a usable pass) and exactly one REFUSED audit
 * row. This file has its own database and its tests run one after the other, so the audit rows
 * written after an attempt are exactly the attempt's.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DomainError, type DomainErrorCode } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { clearHold } from "@/lib/server/cases/clear-hold";
import { correctStep } from "@/lib/server/cases/correct-step";
import { closeCase } from "@/lib/server/close-case";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { findCases } from "@/lib/server/find-cases";
import { findPendingApprovals } from "@/lib/server/find-pending-approvals";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordStep } from "@/lib/server/record-step";
import { redeemTap } from "@/lib/server/redeem-tap";
import { repudiateRecovery } from "@/lib/server/repudiate-recovery";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { sendStepLink } from "@/lib/server/send-step-link";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { readMigrations } from "@/scripts/lib/migrations";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import {
  actor,
  linkToken,
  messageOfKind,
  userWithManager,
  userWithSoftwarePasskey,
  verifiedHighRiskCase,
  verifiedStandardCase,
} from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";

const HR = { type: "SYSTEM" as const, name: "HR" };

async function passFor(address: string, caseId: string) {
  const { text } = await messageOfKind(address, "tap.issued", caseId);
  return normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!;
}

/** What a caller does with a pass: redeem it, then register a passkey on the session it opens. */
async function registerWithPass(address: string, code: string) {
  const session = await redeemTap({ email: address, code });
  const grant = { kind: "session" as const, token: session.token };
  const options = await startPasskeyRegistration({ grant });
  return finishPasskeyRegistration({
    grant,
    response: softwarePasskey().register(options.challenge),
  });
}

/** The enrolment link a case sent the user, as a registration grant. */
async function enrolmentGrant(address: string, caseId: string) {
  const { text } = await messageOfKind(address, "enrolment.link", caseId);
  return { kind: "link" as const, token: linkToken(text, "enrol") };
}

async function registerWithLink(grant: { kind: "link"; token: string }) {
  const options = await startPasskeyRegistration({ grant });
  return finishPasskeyRegistration({
    grant,
    response: softwarePasskey().register(options.challenge),
  });
}

async function managerLink(managerAddress: string, caseId: string) {
  const { text } = await messageOfKind(managerAddress, "step.manager_confirmation", caseId);
  return linkToken(text, "confirm");
}

/** The person's ways in that a refused attempt must leave exactly as they were. */
async function waysIn(userId: string) {
  const [activePasskeys, sessions, usablePasses, usableEnrolmentLinks] = await Promise.all([
    db.passkey.count({ where: { userId, status: "ACTIVE" } }),
    db.workforceSession.count({ where: { userId } }),
    db.temporaryAccessPass.count({ where: { userId, usedAt: null, voidedAt: null } }),
    db.enrolmentLink.count({ where: { userId, usedAt: null, voidedAt: null } }),
  ]);
  return { activePasskeys, sessions, usablePasses, usableEnrolmentLinks };
}

const lastAuditId = async () =>
  (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;

const refusedSince = (id: bigint) =>
  db.auditEvent.findMany({
    where: { id: { gt: id }, outcome: "REFUSED" },
    select: { action: true, data: true },
  });

/**
 * Runs an attempt that must be refused: it throws the DomainError `code`, leaves the person's
 * ways in as they were and writes exactly one REFUSED audit row, `action`, whose detail it returns.
 */
async function expectRefused(
  userId: string | null,
  attempt: () => Promise<unknown>,
  code: DomainErrorCode,
  action: string,
): Promise<{ detail?: string }> {
  const before = userId ? await waysIn(userId) : null;
  const since = await lastAuditId();
  const error = await attempt().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "the attempt must be refused").toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (userId) expect(await waysIn(userId), "no new passkey, session or pass").toEqual(before);
  const rows = await refusedSince(since);
  expect(
    rows.map((row) => row.action),
    "exactly one REFUSED audit row",
  ).toEqual([action]);
  return (rows[0]!.data ?? {}) as { detail?: string };
}

const openHolds = (userId: string) => db.recoveryHold.count({ where: { userId, clearedAt: null } });

describe("a manager's denial counts whenever it arrives while the case is open", () => {
  // P1
  it("a manager who says 'not my report' after photo ID verified the caller voids the pass already sent and holds the person", async () => {
    const agent = await actor();
    const { user, manager } = await userWithManager();
    const address = user.emails[0]!.address;
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "Lost my phone",
    });
    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
    await recordStep({
      actor: agent,
      caseId,
      kind: "EMPLOYEE_RECORD",
      outcome: "PASSED",
      note: "",
    });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const token = await managerLink(manager.emails[0]!.address, caseId);
    // The agent completes the one-of with photo ID on video instead of waiting for the manager.
    await recordStep({ actor: agent, caseId, kind: "ID_DOCUMENT", outcome: "PASSED", note: "" });
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const code = await passFor(address, caseId);

    const since = await lastAuditId();
    await answerManagerConfirmation({ token, answer: "deny" });
    expect(
      await db.auditEvent.findMany({
        where: { id: { gt: since }, outcome: "REFUSED" },
        select: { action: true, reason: true, caseId: true },
      }),
    ).toEqual([{ action: "step.answered", reason: "STOPPED", caseId }]);
    expect(await openHolds(user.id)).toBe(1);
    expect(await waysIn(user.id)).toMatchObject({ usablePasses: 0 });

    const refused = await expectRefused(
      user.id,
      () => registerWithPass(address, code),
      "INVALID_INPUT",
      "tap.redeem_refused",
    );
    expect(refused.detail).toMatch(/no usable pass/);
  });

  // P1b
  it("a manager's denial while a re-enrolment waits for approval voids the request, so no supervisor can approve what the manager refused", async () => {
    const agent = await actor();
    const { user, manager } = await userWithManager();
    const address = user.emails[0]!.address;
    const { caseId: first } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "call 1",
    });
    await closeCase({ actor: agent, caseId: first, closeReason: "Caller hung up" });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "call 2",
    });
    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
    await recordStep({
      actor: agent,
      caseId,
      kind: "EMPLOYEE_RECORD",
      outcome: "PASSED",
      note: "",
    });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const token = await managerLink(manager.emails[0]!.address, caseId);
    await recordStep({ actor: agent, caseId, kind: "ID_DOCUMENT", outcome: "PASSED", note: "" });
    expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] })).toMatchObject({
      status: "pending_approval",
    });

    await answerManagerConfirmation({ token, answer: "deny" });
    expect(await openHolds(user.id)).toBe(1);

    const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
    const approver = await actor("SUPERVISOR");
    await expectRefused(
      user.id,
      () =>
        decideReenrolment({
          actor: approver,
          approvalId: approval.id,
          decision: "approve",
          reason: "Looks fine",
        }),
      "SEQUENCE",
      "case.action_refused",
    );
    await expect(enrolmentGrant(address, caseId)).rejects.toThrow();
  });
});

describe("red flags, failed checks and the call count are the person's, not one case's", () => {
  // P2
  it("a stop red flag on a second case voids the pass the first case sent", async () => {
    const { agent, user, caseId: first } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId: first, lifetimeMinutes: 60, multiUse: false });
    const code = await passFor(address, first);
    const { caseId: second } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Asks to use a new email",
    });
    expect(
      await raiseRedFlag({
        actor: agent,
        caseId: second,
        kind: "NEW_CONTACT_REQUEST",
        note: "Wants the pass sent to a gmail address",
      }),
    ).toEqual({ effect: "stop" });

    const refused = await expectRefused(
      user.id,
      () => registerWithPass(address, code),
      "INVALID_INPUT",
      "tap.redeem_refused",
    );
    expect(refused.detail).toMatch(/no usable pass/);
  });

  // P11
  it("a stop red flag on a second case voids the enrolment link the first case sent", async () => {
    const { agent, user, caseId: first } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    expect(
      await requestReenrolment({ actor: agent, caseId: first, revokePasskeyIds: [] }),
    ).toMatchObject({ status: "link_sent" });
    const grant = await enrolmentGrant(address, first);
    const { caseId: second } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "STOLEN_DEVICE",
      channel: "PHONE",
      callerClaim: "Stolen phone",
    });
    await raiseRedFlag({
      actor: agent,
      caseId: second,
      kind: "DETAILS_MISMATCH",
      note: "Wrong employee ID",
    });

    await expectRefused(
      user.id,
      () => registerWithLink(grant),
      "UNAUTHENTICATED",
      "passkey.enrol_refused",
    );
  });

  // P10
  it("a second call in the window makes the first, still-open case need a second person too", async () => {
    const agent = await actor();
    const { user } = await userWithManager();
    const { caseId: first } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "call 1",
    });
    for (const kind of ["CALLBACK", "EMPLOYEE_RECORD"] as const)
      await recordStep({ actor: agent, caseId: first, kind, outcome: "PASSED", note: "" });
    await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "call 2",
    });
    await recordStep({
      actor: agent,
      caseId: first,
      kind: "ID_DOCUMENT",
      outcome: "PASSED",
      note: "",
    });

    const refused = await expectRefused(
      user.id,
      () => issueTap({ actor: agent, caseId: first, lifetimeMinutes: 60, multiUse: false }),
      "APPROVAL_REQUIRED",
      "case.action_refused",
    );
    expect(refused.detail).toMatch(/repeat call \(call 2/);
  });

  // P15
  it("a manager's denial on a later call stops an earlier verified case, even after a supervisor clears the hold", async () => {
    const { agent, user, manager, caseId: first } = await verifiedStandardCase();
    await issueTap({ actor: agent, caseId: first, lifetimeMinutes: 60, multiUse: false });
    const { caseId: later } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Still locked out",
    });
    await sendStepLink({ actor: agent, caseId: later, kind: "MANAGER_CONFIRMATION" });
    await answerManagerConfirmation({
      token: await managerLink(manager.emails[0]!.address, later),
      answer: "deny",
    });
    expect(
      await clearHold({
        actor: await actor("SUPERVISOR"),
        userId: user.id,
        note: "Reviewed the denial with the manager",
      }),
    ).toEqual({ cleared: 1 });

    const refused = await expectRefused(
      user.id,
      () => issueTap({ actor: agent, caseId: first, lifetimeMinutes: 60, multiUse: false }),
      "STOPPED",
      "case.action_refused",
    );
    expect(refused.detail).toMatch(/failed on another recent case/);
  });
});

describe("no one who acted on a case is its second person", () => {
  // P3
  it("the supervisor who reopened a failed step cannot approve the case's re-enrolment", async () => {
    const agent = await actor();
    const supervisor = await actor("SUPERVISOR");
    const { user, manager } = await userWithManager({ riskTier: "HIGH_RISK", passkeys: 1 });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "Lost my laptop",
    });
    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
    await recordStep({
      actor: agent,
      caseId,
      kind: "ID_DOCUMENT",
      outcome: "FAILED",
      note: "Face does not match",
    });
    await correctStep({
      actor: supervisor,
      caseId,
      kind: "ID_DOCUMENT",
      note: "Let the agent retry",
    });
    for (const kind of ["ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
      await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    await answerManagerConfirmation({
      token: await managerLink(manager.emails[0]!.address, caseId),
      answer: "confirm",
    });
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
    const approval = await db.approval.findFirstOrThrow({ where: { caseId } });

    const refused = await expectRefused(
      user.id,
      () =>
        decideReenrolment({
          actor: supervisor,
          approvalId: approval.id,
          decision: "approve",
          reason: "Fine",
        }),
      "FORBIDDEN",
      "case.action_refused",
    );
    expect(refused.detail).toMatch(/another supervisor must decide/);
    expect(await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      status: "PENDING",
    });
  });

  // P3b
  it("the supervisor who sent the manager's link cannot approve the case's re-enrolment", async () => {
    const agent = await actor();
    const supervisor = await actor("SUPERVISOR");
    const { user, manager } = await userWithManager({ riskTier: "HIGH_RISK", passkeys: 1 });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "Lost my laptop",
    });
    for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
      await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
    await sendStepLink({ actor: supervisor, caseId, kind: "MANAGER_CONFIRMATION" });
    await answerManagerConfirmation({
      token: await managerLink(manager.emails[0]!.address, caseId),
      answer: "confirm",
    });
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
    const approval = await db.approval.findFirstOrThrow({ where: { caseId } });

    const refused = await expectRefused(
      user.id,
      () =>
        decideReenrolment({
          actor: supervisor,
          approvalId: approval.id,
          decision: "approve",
          reason: "Fine",
        }),
      "FORBIDDEN",
      "case.action_refused",
    );
    expect(refused.detail).toMatch(/another supervisor must decide/);
  });

  // P4
  it("the supervisor who denied a re-enrolment cannot clear the hold their own denial created", async () => {
    const { agent, user, caseId } = await verifiedHighRiskCase({ passkeys: 1 });
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
    const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
    const supervisor = await actor("SUPERVISOR");
    await decideReenrolment({
      actor: supervisor,
      approvalId: approval.id,
      decision: "deny",
      reason: "Caller hesitated",
    });

    const refused = await expectRefused(
      user.id,
      () => clearHold({ actor: supervisor, userId: user.id, note: "I changed my mind" }),
      "FORBIDDEN",
      "case.action_refused",
    );
    expect(refused.detail).toMatch(/You worked the case that was denied/);
    expect(await openHolds(user.id)).toBe(1);
  });
});

describe("a manager's link answers only from the current, employed manager", () => {
  // P6
  it("a manager who left cannot confirm their former report", async () => {
    const agent = await actor();
    const { user, manager } = await userWithManager();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    for (const kind of ["CALLBACK", "EMPLOYEE_RECORD"] as const)
      await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const token = await managerLink(manager.emails[0]!.address, caseId);
    await changeEmploymentStatus({
      actor: HR,
      userId: manager.id,
      status: "LEFT",
      leavingOn: new Date(Date.now() - 86_400_000),
    });

    const refused = await expectRefused(
      user.id,
      () => answerManagerConfirmation({ token, answer: "confirm" }),
      "SEQUENCE",
      "step.link_refused",
    );
    expect(refused.detail).toMatch(/no longer the manager of record, or has left/);
    const step = await db.checklistStep.findFirstOrThrow({
      where: { run: { caseId }, kind: "MANAGER_CONFIRMATION" },
    });
    expect(step.outcome).toBe("PENDING");
    expect(await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({
      status: "OPEN",
    });
  });
});

describe("one recovery sets up one passkey", () => {
  // P7
  it("after a case's enrolment link set up a passkey, its pass cannot set up a second one", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] })).toMatchObject({
      status: "link_sent",
    });
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const code = await passFor(address, caseId);
    const before = await waysIn(user.id);
    await registerWithLink(await enrolmentGrant(address, caseId));
    expect(await waysIn(user.id)).toMatchObject({ activePasskeys: before.activePasskeys + 1 });
    expect(await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({
      status: "REENROLLED",
    });

    const refused = await expectRefused(
      user.id,
      () => registerWithPass(address, code),
      "INVALID_INPUT",
      "tap.redeem_refused",
    );
    expect(refused.detail).toMatch(/already set up a new passkey/);
  });
});

describe("\"this wasn't me\" holds the person's recovery", () => {
  // P8
  it("after the person reports a recovery as not them, no new case opens for them", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await repudiateRecovery({
      token: linkToken((await messageOfKind(address, "case.opened", caseId)).text, "report"),
    });
    expect(await openHolds(user.id)).toBe(1);
    const cases = await db.recoveryCase.count({ where: { userId: user.id } });

    await expectRefused(
      user.id,
      () =>
        openCase({
          actor: agent,
          userId: user.id,
          reason: "LOST_DEVICE",
          channel: "PHONE",
          callerClaim: "Calling again",
        }),
      "ON_HOLD",
      "case.action_refused",
    );
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(cases);
  });

  // P8b
  it("after the person reports one case as not them, a sibling case already open cannot go on to a pass", async () => {
    const agent = await actor();
    const { user } = await userWithManager();
    const address = user.emails[0]!.address;
    const { caseId: sibling } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "call 1",
    });
    await recordStep({
      actor: agent,
      caseId: sibling,
      kind: "CALLBACK",
      outcome: "PASSED",
      note: "",
    });
    const { caseId: reported } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "call 2",
    });
    await repudiateRecovery({
      token: linkToken((await messageOfKind(address, "case.opened", reported)).text, "report"),
    });

    await expectRefused(
      user.id,
      () =>
        recordStep({
          actor: agent,
          caseId: sibling,
          kind: "EMPLOYEE_RECORD",
          outcome: "PASSED",
          note: "",
        }),
      "ON_HOLD",
      "case.action_refused",
    );
    await expectRefused(
      user.id,
      () => issueTap({ actor: agent, caseId: sibling, lifetimeMinutes: 60, multiUse: false }),
      "ON_HOLD",
      "case.action_refused",
    );
  });
});

describe("staff without a team see no one's cases", () => {
  async function teamless(role: "AGENT" | "SUPERVISOR"): Promise<CurrentStaff> {
    const staff = await createStaff(db, { role, team: null });
    return {
      id: staff.id,
      name: staff.name,
      email: staff.email,
      role,
      team: null,
      sessionExpires: new Date(Date.now() + 60_000),
    };
  }

  // P5
  it("an agent or supervisor with no team gets an empty case list and an empty approvals queue", async () => {
    const { agent, caseId } = await verifiedHighRiskCase({ passkeys: 1 });
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
    const teamSupervisor = await actor("SUPERVISOR");
    expect((await findCases({ viewer: agent })).map((c) => c.id)).toContain(caseId);
    expect((await findPendingApprovals(teamSupervisor)).map((a) => a.case.id)).toContain(caseId);

    expect(await findCases({ viewer: await teamless("AGENT") })).toEqual([]);
    expect(await findPendingApprovals(await teamless("SUPERVISOR"))).toEqual([]);
  });
});

describe("a refused passkey proof changes nothing", () => {
  // P12b
  it("a passkey proof that arrives after the case was verified by other steps leaves the passkey's counter and last use alone", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const address = user.emails[0]!.address;
    const agent = await actor();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "REPLACED_DEVICE",
      channel: "VIDEO",
      callerClaim: "New phone",
    });
    await sendStepLink({ actor: agent, caseId, kind: "PASSKEY_PROOF" });
    const token = linkToken(
      (await messageOfKind(address, "step.passkey_proof", caseId)).text,
      "prove",
    );
    const options = await startPasskeyProof({ token });
    for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
      await recordStep({ actor: agent, caseId, kind, outcome: "PASSED", note: "" });
    expect(await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({
      status: "VERIFIED",
    });
    const usage = () =>
      db.passkey.findMany({
        where: { userId: user.id, status: "ACTIVE" },
        select: { id: true, counter: true, lastUsedAt: true },
      });
    const before = await usage();

    await expectRefused(
      user.id,
      () =>
        finishPasskeyProof({
          token,
          response: passkey.authenticate(options.challenge, user.webauthnUserId),
        }),
      "SEQUENCE",
      "step.link_refused",
    );
    expect(await usage()).toEqual(before);
  });
});

describe("refusals leave a trace", () => {
  // P14
  it("deciding an approval that does not exist is audited as a refusal", async () => {
    await expectRefused(
      null,
      async () =>
        decideReenrolment({
          actor: await actor("SUPERVISOR"),
          approvalId: crypto.randomUUID(),
          decision: "approve",
          reason: "x",
        }),
      "NOT_FOUND",
      "case.action_refused",
    );
  });

  // P14
  it("starting a passkey proof with a token we never issued is refused and counted, not audited", async () => {
    const since = await lastAuditId();
    const before = await db.refusalTally.findMany({ where: { action: "step.link_refused" } });
    const error = await startPasskeyProof({ token: randomBytes(32).toString("base64url") }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "SEQUENCE" });
    expect(await refusedSince(since)).toEqual([]);
    const after = await db.refusalTally.findMany({ where: { action: "step.link_refused" } });
    const sum = (rows: { count: number }[]) => rows.reduce((n, row) => n + row.count, 0);
    expect(sum(after)).toBe(sum(before) + 1);
  });
});

describe("cases from before teams were a boundary", () => {
  const clients: pg.Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
  });

  /**
   * A database as it was before the gates (every migration before `_gates_that_hold`), holding a
   * case with an unredeemed pass opened by an agent of `agentTeam`; then upgraded. A case with no
   * team cannot be worked, closed or handed over by anyone, while what it issued still works, so
   * only the upgrade can settle such rows.
   */
  async function legacyCaseAfterUpgrade(agentTeam: string | null) {
    const name = `m_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: inject("databaseAdminUrl") });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
    await admin.end();
    const url = new URL(inject("databaseAdminUrl"));
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    clients.push(client);

    const migrations = await readMigrations();
    const upgrade = migrations.findIndex((m) => m.name.endsWith("_gates_that_hold"));
    expect(upgrade).toBeGreaterThan(0);
    for (const migration of migrations.slice(0, upgrade)) await client.query(migration.sql);

    const agent = await client.query(
      `INSERT INTO "Staff" (name, email, role, team) VALUES ('A', 'a@x.example', 'AGENT', $1) RETURNING id`,
      [agentTeam],
    );
    const user = await client.query(
      `INSERT INTO "WorkforceUser" ("employeeId", name, department, title, "phoneOfRecord", "riskTier", "webauthnUserId", "updatedAt")
       VALUES ('E1', 'U', 'D', 'T', '+44', 'STANDARD', '\\x01', now()) RETURNING id`,
    );
    const kase = await client.query(
      `INSERT INTO "RecoveryCase" ("userId", "agentId", reason, channel, "riskTier", "policyVersion", status, "updatedAt")
       VALUES ($1, $2, 'LOST_DEVICE', 'PHONE', 'STANDARD', 1, 'FACTOR_ISSUED', now()) RETURNING id`,
      [user.rows[0].id, agent.rows[0].id],
    );
    await client.query(
      `INSERT INTO "TemporaryAccessPass" ("userId", "caseId", "codeHash", "maxFailures", "expiresAt", "issuedById")
       VALUES ($1, $2, 'h', 5, now() + interval '1 hour', $3)`,
      [user.rows[0].id, kase.rows[0].id, agent.rows[0].id],
    );

    for (const migration of migrations.slice(upgrade)) await client.query(migration.sql);
    const { rows } = await client.query(
      `SELECT c.team,
              c.status NOT IN ('REENROLLED', 'REVOKED', 'CLOSED') AS open,
              bool_or(p."usedAt" IS NULL AND p."voidedAt" IS NULL) AS "passUsable"
       FROM "RecoveryCase" c JOIN "TemporaryAccessPass" p ON p."caseId" = c.id
       WHERE c.id = $1 GROUP BY c.id`,
      [kase.rows[0].id],
    );
    return rows[0] as { team: string | null; open: boolean; passUsable: boolean };
  }

  // P13
  it("a case opened before teams were a boundary belongs, after the upgrade, to the team of the agent who opened it", async () => {
    expect(await legacyCaseAfterUpgrade("Service Desk North")).toMatchObject({
      team: "Service Desk North",
    });
  });

  // P13 (an agent with no team at upgrade time: every SSO agent before the team claim was read)
  it("after the upgrade no case is left open, with a working pass, outside every team's reach", async () => {
    expect(
      await legacyCaseAfterUpgrade(null),
      "an open case with no team that still has a usable pass: nobody can close it",
    ).not.toMatchObject({ team: null, open: true, passUsable: true });
  });
});
