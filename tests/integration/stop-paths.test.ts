/**
 * Stopping stops (lib/server/cases/void-recovery.ts): every stop path × every artifact a recovery
 * can have outstanding. After the stop, using the artifact is refused, changes nothing (no
 * passkey, no session, no case status, no link or approval moves) and writes exactly one REFUSED
 * audit row. Every artifact and every stop is made through the real use cases. This file has its
 * own database and its tests run one after the other, so counting REFUSED rows across the whole
 * database before and after an attempt counts exactly what that attempt wrote.
 */
import { describe, expect, it } from "vitest";
import { DomainError, type DomainErrorCode } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { clearHold } from "@/lib/server/cases/clear-hold";
import { closeCase } from "@/lib/server/close-case";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordStep } from "@/lib/server/record-step";
import { redeemTap } from "@/lib/server/redeem-tap";
import { repudiateRecovery } from "@/lib/server/repudiate-recovery";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { hashToken, newToken } from "@/lib/server/secrets";
import { sendStepLink } from "@/lib/server/send-step-link";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { db } from "@/tests/db";
import {
  actor,
  linkToken,
  messageOfKind,
  redeemedPassSession,
  userWithManager,
  userWithSoftwarePasskey,
  verifiedHighRiskCase,
  verifiedStandardCase,
} from "@/tests/recovery";
import { softwarePasskey } from "@/tests/software-authenticator";

/** Something a recovery issued that could still be used, and how its holder would use it. */
type Held = {
  userId: string;
  /** The case that issued it. */
  caseId: string;
  /** The user's (primary, verified) address. */
  address: string;
  /** For an enrolment link: the lost passkeys it would revoke on use. */
  linkRevokes?: string[];
  use: () => Promise<unknown>;
  refusedAs: { codes: DomainErrorCode[]; action: string };
};

type Artifact = {
  name: string;
  /** Whether the issuing case is still OPEN (being verified): only then can a step fail or a manager deny. */
  caseOpen: boolean;
  make: () => Promise<Held>;
};

async function passFor(address: string, caseId: string) {
  const { text } = await messageOfKind(address, "tap.issued", caseId);
  return normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!;
}

const ARTIFACTS: Artifact[] = [
  {
    name: "an unredeemed pass",
    caseOpen: false,
    async make() {
      const { agent, user, caseId } = await verifiedStandardCase();
      const address = user.emails[0]!.address;
      await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
      const code = await passFor(address, caseId);
      return {
        userId: user.id,
        caseId,
        address,
        use: () => redeemTap({ email: address, code }),
        refusedAs: { codes: ["INVALID_INPUT"], action: "tap.redeem_refused" },
      };
    },
  },
  {
    name: "a redeemed pass's session with a registration already started",
    caseOpen: false,
    async make() {
      const { user, caseId, address, grant } = await redeemedPassSession();
      const options = await startPasskeyRegistration({ grant });
      return {
        userId: user.id,
        caseId,
        address,
        use: () =>
          finishPasskeyRegistration({
            grant,
            response: softwarePasskey().register(options.challenge),
          }),
        refusedAs: { codes: ["SEQUENCE", "UNAUTHENTICATED"], action: "passkey.enrol_refused" },
      };
    },
  },
  {
    name: "an enrolment link with a registration already started",
    caseOpen: false,
    async make() {
      const { user } = await userWithManager({ passkeys: 2 });
      const { agent, caseId } = await verifiedStandardCase({ userId: user.id });
      const lost = user.passkeys[0]!.id;
      expect(
        await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [lost] }),
      ).toMatchObject({ status: "link_sent" });
      const address = user.emails[0]!.address;
      const grant = {
        kind: "link" as const,
        token: linkToken((await messageOfKind(address, "enrolment.link", caseId)).text, "enrol"),
      };
      const options = await startPasskeyRegistration({ grant });
      return {
        userId: user.id,
        caseId,
        address,
        linkRevokes: [lost],
        use: () =>
          finishPasskeyRegistration({
            grant,
            response: softwarePasskey().register(options.challenge),
          }),
        refusedAs: { codes: ["SEQUENCE", "UNAUTHENTICATED"], action: "passkey.enrol_refused" },
      };
    },
  },
  {
    name: "an unanswered manager confirmation link",
    caseOpen: true,
    async make() {
      const agent = await actor();
      const { user, manager } = await userWithManager();
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
        kind: "EMPLOYEE_RECORD",
        outcome: "PASSED",
        note: "",
      });
      await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
      const token = linkToken(
        (await messageOfKind(manager.emails[0]!.address, "step.manager_confirmation", caseId)).text,
        "confirm",
      );
      return {
        userId: user.id,
        caseId,
        address: user.emails[0]!.address,
        use: () => answerManagerConfirmation({ token, answer: "confirm" }),
        refusedAs: { codes: ["SEQUENCE"], action: "step.link_refused" },
      };
    },
  },
  {
    name: "a pending approval",
    caseOpen: false,
    async make() {
      const { agent, user, caseId } = await verifiedHighRiskCase();
      expect(
        await requestReenrolment({
          actor: agent,
          caseId,
          revokePasskeyIds: [user.passkeys[0]!.id],
        }),
      ).toMatchObject({ status: "pending_approval" });
      const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
      // Another supervisor of the same team, who worked no part of the case.
      const approver = await actor("SUPERVISOR");
      return {
        userId: user.id,
        caseId,
        address: user.emails[0]!.address,
        use: () =>
          decideReenrolment({
            actor: approver,
            approvalId: approval.id,
            decision: "approve",
            reason: "Video ID matched",
          }),
        refusedAs: { codes: ["SEQUENCE"], action: "case.action_refused" },
      };
    },
  },
];

type StopPath = {
  name: string;
  /** Only possible while the issuing case is still being verified (OPEN). */
  needsOpenCase?: boolean;
  /** The stop revokes every passkey itself. */
  revokesPasskeys?: boolean;
  stop: (held: Held) => Promise<void>;
};

const HR = { type: "SYSTEM" as const, name: "HR" };

/** A new case for the same user (a repeat call), verified for their tier, with a re-enrolment pending. */
async function pendingRepeatCall(userId: string) {
  const { riskTier } = await db.workforceUser.findUniqueOrThrow({
    where: { id: userId },
    select: { riskTier: true },
  });
  const { agent, caseId } =
    riskTier === "HIGH_RISK"
      ? await verifiedHighRiskCase({ userId })
      : await verifiedStandardCase({ userId });
  expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] })).toMatchObject({
    status: "pending_approval",
  });
  return db.approval.findFirstOrThrow({ where: { caseId } });
}

/*
 * Combinations that cannot exist, and so are not in the table:
 * - a failed agent step with a pass, a registration, an enrolment link or a pending approval: those
 *   exist only once the case is VERIFIED, and steps are recorded only while it is OPEN (the
 *   recording itself is refused, so nothing stops). Only the manager's link can be outstanding then.
 * - a manager's denial with any artifact of the table: the pass, the registrations and the
 *   approval again need a VERIFIED case, where a manager's answer is refused; and the manager's
 *   own unanswered link is the very link the denial uses (a resend voids the earlier one), so no
 *   second one can be outstanding. The artifact that can coexist with a manager's denial is a
 *   passkey-proof link: see "a manager's denial" below.
 * - a supervisor's denial with an artifact of the denied case itself: that case is PENDING_APPROVAL,
 *   and its only artifact is the approval the denial decides. A denial voids every recovery of the
 *   user, so the table combines it with each artifact of an EARLIER case of the same user.
 */
const STOP_PATHS: StopPath[] = [
  {
    name: "closing the case",
    stop: async (held) => {
      await closeCase({ actor: await actor(), caseId: held.caseId, closeReason: "Caller hung up" });
    },
  },
  {
    name: "a stop red flag",
    stop: async (held) => {
      expect(
        await raiseRedFlag({
          actor: await actor(),
          caseId: held.caseId,
          kind: "DETAILS_MISMATCH",
          note: "Wrong employee ID",
        }),
      ).toEqual({ effect: "stop" });
    },
  },
  {
    name: "an escalate red flag (voiding what was issued before it)",
    stop: async (held) => {
      expect(
        await raiseRedFlag({
          actor: await actor(),
          caseId: held.caseId,
          kind: "PRESSURE",
          note: "Insisted it was urgent",
        }),
      ).toEqual({ effect: "escalate" });
    },
  },
  {
    name: "a failed agent step",
    needsOpenCase: true,
    stop: async (held) => {
      expect(
        await recordStep({
          actor: await actor(),
          caseId: held.caseId,
          kind: "CALLBACK",
          outcome: "FAILED",
          note: "The person who answered did not ask",
        }),
      ).toMatchObject({
        stopped: true,
      });
    },
  },
  {
    name: '"this wasn\'t me"',
    stop: async (held) => {
      const token = linkToken(
        (await messageOfKind(held.address, "case.opened", held.caseId)).text,
        "report",
      );
      await repudiateRecovery({ token });
    },
  },
  {
    name: '"this wasn\'t me" about a passkey added while signed in',
    stop: async (held) => {
      // The session a passkey sign-in opens, freshly verified (these users hold no real passkey
      // to sign in with), adds a passkey the real way; the notice's link reports it.
      const token = newToken();
      await db.workforceSession.create({
        data: {
          userId: held.userId,
          tokenHash: hashToken(token),
          method: "passkey",
          expiresAt: new Date(Date.now() + 3_600_000),
          verifiedAt: new Date(),
        },
      });
      const grant = { kind: "session" as const, token };
      const options = await startPasskeyRegistration({ grant });
      await finishPasskeyRegistration({
        grant,
        response: softwarePasskey().register(options.challenge),
      });
      const notice = await messageOfKind(held.address, "passkey.enrolled");
      expect(notice.caseId).toBeNull();
      expect(await repudiateRecovery({ token: linkToken(notice.text, "report") })).toBe("passkey");
    },
  },
  {
    name: "a supervisor's denial on a later case of the same user",
    stop: async (held) => {
      const approval = await pendingRepeatCall(held.userId);
      expect(
        await decideReenrolment({
          actor: await actor("SUPERVISOR"),
          approvalId: approval.id,
          decision: "deny",
          reason: "Second call today",
        }),
      ).toEqual({
        outcome: "denied",
      });
    },
  },
  {
    name: "the user leaving",
    stop: async (held) => {
      await changeEmploymentStatus({ actor: HR, userId: held.userId, status: "LEFT" });
    },
  },
  {
    name: "the user being suspended",
    stop: async (held) => {
      await changeEmploymentStatus({ actor: HR, userId: held.userId, status: "SUSPENDED" });
    },
  },
  {
    name: "revoke-all",
    revokesPasskeys: true,
    stop: async (held) => {
      await revokePasskeys({
        actor: await actor(),
        userId: held.userId,
        request: { scope: "ALL" },
        reason: "STOLEN",
      });
    },
  },
];

/** Everything about a user that a refused attempt must leave as it was. */
async function stateOf(userId: string) {
  const byId = { orderBy: { id: "asc" as const } };
  const ofUser = { case: { userId } };
  const [cases, steps, passkeys, sessions, passes, enrolmentLinks, stepLinks, approvals, holds] =
    await Promise.all([
      db.recoveryCase.findMany({ where: { userId }, select: { id: true, status: true }, ...byId }),
      db.checklistStep.findMany({
        where: { run: ofUser },
        select: { id: true, outcome: true },
        ...byId,
      }),
      db.passkey.findMany({ where: { userId }, select: { id: true, status: true }, ...byId }),
      db.workforceSession.findMany({ where: { userId }, select: { id: true }, ...byId }),
      db.temporaryAccessPass.findMany({
        where: { userId },
        select: { id: true, usedAt: true, voidedAt: true, failedAttempts: true },
        ...byId,
      }),
      db.enrolmentLink.findMany({
        where: { userId },
        select: { id: true, usedAt: true, voidedAt: true },
        ...byId,
      }),
      db.stepLink.findMany({
        where: ofUser,
        select: { id: true, usedAt: true, voidedAt: true },
        ...byId,
      }),
      db.approval.findMany({ where: ofUser, select: { id: true, status: true }, ...byId }),
      db.recoveryHold.findMany({
        where: { userId },
        select: { id: true, clearedAt: true },
        ...byId,
      }),
    ]);
  return { cases, steps, passkeys, sessions, passes, enrolmentLinks, stepLinks, approvals, holds };
}

/** After any stop: nothing any recovery of the user issued can still be used. */
async function expectNothingUsable(userId: string) {
  const ofUser = { case: { userId } };
  const passIds = (
    await db.temporaryAccessPass.findMany({ where: { userId }, select: { id: true } })
  ).map((pass) => pass.id);
  expect({
    passes: await db.temporaryAccessPass.count({ where: { userId, usedAt: null, voidedAt: null } }),
    passSessions: await db.workforceSession.count({
      where: { method: "tap", tapId: { in: passIds } },
    }),
    enrolmentLinks: await db.enrolmentLink.count({
      where: { userId, usedAt: null, voidedAt: null },
    }),
    stepLinks: await db.stepLink.count({ where: { ...ofUser, usedAt: null, voidedAt: null } }),
    approvals: await db.approval.count({ where: { ...ofUser, status: "PENDING" } }),
  }).toEqual({ passes: 0, passSessions: 0, enrolmentLinks: 0, stepLinks: 0, approvals: 0 });
}

const refusedRows = () => db.auditEvent.count({ where: { outcome: "REFUSED" } });

/** Uses the artifact after the stop: refused, nothing changed, exactly one REFUSED row written. */
async function expectRefusedWithoutEffect(held: Held) {
  const before = await stateOf(held.userId);
  const refusedBefore = await refusedRows();
  const lastId =
    (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;

  const error = await held.use().then(
    () => null,
    (e: unknown) => e,
  );

  expect(error, "using it after the stop must be refused").toBeInstanceOf(DomainError);
  expect(held.refusedAs.codes).toContain((error as DomainError).code);
  const after = await stateOf(held.userId);
  expect(after.passkeys, "no new passkey, none revoked").toEqual(before.passkeys);
  expect(after.sessions, "no new workforce session").toEqual(before.sessions);
  expect(after.cases, "case status unchanged by the refused attempt").toEqual(before.cases);
  expect(after, "nothing else changed either").toEqual(before);
  const written = await db.auditEvent.findMany({
    where: { id: { gt: lastId }, outcome: "REFUSED" },
    select: { action: true, reason: true, data: true },
  });
  expect(
    await refusedRows(),
    `exactly one REFUSED audit row for the refused attempt (written: ${JSON.stringify(written)})`,
  ).toBe(refusedBefore + 1);
  expect(written.map((row) => row.action)).toEqual([held.refusedAs.action]);
  return after;
}

describe("every stop path voids every outstanding artifact", () => {
  for (const path of STOP_PATHS) {
    describe(`after ${path.name}`, () => {
      for (const artifact of ARTIFACTS.filter((a) => !path.needsOpenCase || a.caseOpen)) {
        it(`${artifact.name} is refused, changes nothing and leaves exactly one refusal in the audit trail`, async () => {
          const held = await artifact.make();
          await path.stop(held);
          await expectNothingUsable(held.userId);

          const after = await expectRefusedWithoutEffect(held);

          if (held.linkRevokes) {
            const revokes = after.passkeys.filter((p) => held.linkRevokes!.includes(p.id));
            expect(revokes).toHaveLength(held.linkRevokes.length);
            // The lost passkeys the link would have revoked are not revoked by the refused use;
            // only revoke-all itself revokes them.
            for (const passkey of revokes)
              expect(passkey.status).toBe(path.revokesPasskeys ? "REVOKED" : "ACTIVE");
          }
        });
      }
    });
  }
});

describe("a manager's denial", () => {
  it("stops the case: a passkey-proof link sent before it is refused, changes nothing and leaves exactly one refusal", async () => {
    // A user with a real passkey left (enrolled through an earlier recovery), calling again.
    const { user, manager, passkey } = await userWithSoftwarePasskey();
    const agent = await actor();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "REPLACED_DEVICE",
      channel: "PHONE",
      callerClaim: "New phone",
    });
    const address = user.emails[0]!.address;
    await sendStepLink({ actor: agent, caseId, kind: "PASSKEY_PROOF" });
    const proofToken = linkToken(
      (await messageOfKind(address, "step.passkey_proof", caseId)).text,
      "prove",
    );
    const options = await startPasskeyProof({ token: proofToken });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const managerToken = linkToken(
      (await messageOfKind(manager.emails[0]!.address, "step.manager_confirmation", caseId)).text,
      "confirm",
    );

    expect(await answerManagerConfirmation({ token: managerToken, answer: "deny" })).toEqual({
      complete: false,
    });
    expect(await db.recoveryHold.count({ where: { userId: user.id, clearedAt: null } })).toBe(1);

    await expectRefusedWithoutEffect({
      userId: user.id,
      caseId,
      address,
      use: () =>
        finishPasskeyProof({
          token: proofToken,
          response: passkey.authenticate(options.challenge, user.webauthnUserId),
        }),
      refusedAs: { codes: ["SEQUENCE"], action: "step.link_refused" },
    });
    // Nor can the manager take the denial back through the same link.
    await expectRefusedWithoutEffect({
      userId: user.id,
      caseId,
      address,
      use: () => answerManagerConfirmation({ token: managerToken, answer: "confirm" }),
      refusedAs: { codes: ["SEQUENCE"], action: "step.link_refused" },
    });
    const steps = await db.checklistStep.findMany({
      where: { run: { caseId } },
      select: { kind: true, outcome: true },
    });
    expect(steps).toEqual(
      expect.arrayContaining([
        { kind: "PASSKEY_PROOF", outcome: "PENDING" },
        { kind: "MANAGER_CONFIRMATION", outcome: "FAILED" },
      ]),
    );
  });
});

describe("a manager's denial on a repeat call", () => {
  it("voids the pass an earlier case of the user issued, so clearing the hold does not bring it back", async () => {
    const { agent, user, manager, caseId: earlier } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId: earlier, lifetimeMinutes: 60, multiUse: false });
    const code = await passFor(address, earlier);
    // The caller rings again; this time the manager says it is not them.
    const { caseId: later } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Still locked out",
    });
    await sendStepLink({ actor: agent, caseId: later, kind: "MANAGER_CONFIRMATION" });
    const token = linkToken(
      (await messageOfKind(manager.emails[0]!.address, "step.manager_confirmation", later)).text,
      "confirm",
    );
    await answerManagerConfirmation({ token, answer: "deny" });

    // A supervisor reviews the denial and clears the hold: that must not revive a pass issued before the denial.
    await clearHold({
      actor: await actor("SUPERVISOR"),
      userId: user.id,
      note: "Reviewed with the manager",
    });
    const redeemed = await redeemTap({ email: address, code }).then(
      () => "redeemed",
      (e: unknown) => (e as DomainError).code,
    );
    expect(redeemed, "the earlier case's pass still worked after the denial").toBe("INVALID_INPUT");
    expect(
      await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId: earlier } }),
    ).toMatchObject({ usedAt: null, voidedAt: expect.any(Date) });
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("closing a case tells the user only when they held something", () => {
  it("tells the user when an unredeemed pass stops working", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    expect(await closeCase({ actor: agent, caseId, closeReason: "Resolved otherwise" })).toEqual({
      userTold: true,
    });
    const notice = await messageOfKind(user.emails[0]!.address, "recovery.stopped", caseId);
    expect(notice.text).toMatch(/The temporary access pass you were sent no longer works/);
  });

  it("tells the user when an enrolment link stops working", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    expect(await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] })).toMatchObject({
      status: "link_sent",
    });
    expect(await closeCase({ actor: agent, caseId, closeReason: "Resolved otherwise" })).toEqual({
      userTold: true,
    });
    const notice = await messageOfKind(user.emails[0]!.address, "recovery.stopped", caseId);
    expect(notice.text).toMatch(/The link to set up a new passkey you were sent no longer works/);
  });

  it("tells the user nothing when nothing was outstanding", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    expect(
      await closeCase({ actor: agent, caseId, closeReason: "Caller found their phone" }),
    ).toEqual({ userTold: false });
    expect(
      await db.outboxMessage.count({
        where: { toAddress: user.emails[0]!.address, kind: "recovery.stopped" },
      }),
    ).toBe(0);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "CLOSED",
    );
  });
});
