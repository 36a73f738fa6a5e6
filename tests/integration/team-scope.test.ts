/**
 * Team scope and leavers, through the case unit of work (lib/server/cases/unit-of-work.ts): a
 * case is worked only by its team (a refusal is audited and changes nothing), staff without a
 * team are told why, a hand-over moves the case to the other team, and revocation is open to any
 * agent. A person who leaves or is suspended loses every way in at once.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import type { StaffRole } from "@/lib/domain/roles";
import type { EmploymentStatus } from "@/lib/domain/workforce";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { transferCase } from "@/lib/server/cases/transfer-case";
import { closeCase } from "@/lib/server/close-case";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { recordStep } from "@/lib/server/record-step";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { resumeWorkforceSession } from "@/lib/server/resume-workforce-session";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { sendStepLink } from "@/lib/server/send-step-link";
import { finishWorkforceSignIn, startWorkforceSignIn } from "@/lib/server/workforce-sign-in";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import {
  actor,
  userWithManager,
  userWithSoftwarePasskey,
  verifiedHighRiskCase,
  verifiedStandardCase,
} from "@/tests/recovery";

const NORTH = "Service Desk North";
const SOUTH = "Service Desk South";

async function staffIn(team: string | null, role: StaffRole = "AGENT"): Promise<CurrentStaff> {
  const staff = await createStaff(db, { role, team });
  return {
    id: staff.id,
    name: staff.name,
    email: staff.email,
    role,
    team: staff.team,
    sessionExpires: new Date(Date.now() + 60_000),
  };
}

/** What a refused action on a case must leave as it was. */
async function caseState(caseId: string) {
  const kase = await db.recoveryCase.findUniqueOrThrow({
    where: { id: caseId },
    select: { status: true, team: true, userId: true },
  });
  const [steps, passes, stepLinks, enrolmentLinks, approvals, messages, passkeys] =
    await Promise.all([
      db.checklistStep.findMany({
        where: { run: { caseId } },
        select: { kind: true, outcome: true },
        orderBy: { position: "asc" },
      }),
      db.temporaryAccessPass.findMany({
        where: { caseId },
        select: { id: true, usedAt: true, voidedAt: true },
      }),
      db.stepLink.findMany({
        where: { caseId },
        select: { id: true, usedAt: true, voidedAt: true },
      }),
      db.enrolmentLink.findMany({
        where: { caseId },
        select: { id: true, usedAt: true, voidedAt: true },
      }),
      db.approval.findMany({ where: { caseId }, select: { id: true, status: true } }),
      db.outboxMessage.count({ where: { caseId } }),
      db.passkey.findMany({
        where: { userId: kase.userId },
        select: { id: true, status: true },
        orderBy: { id: "asc" },
      }),
    ]);
  return { kase, steps, passes, stepLinks, enrolmentLinks, approvals, messages, passkeys };
}

/** Runs an action that must be refused as FORBIDDEN: nothing changes and exactly one refusal is audited. */
async function expectForbidden(caseId: string, by: CurrentStaff, action: () => Promise<unknown>) {
  const before = await caseState(caseId);
  const lastId =
    (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
  const error = await action().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe("FORBIDDEN");
  expect(await caseState(caseId)).toEqual(before);
  const written = await db.auditEvent.findMany({ where: { id: { gt: lastId } } });
  expect(written).toHaveLength(1);
  expect(written[0]).toMatchObject({
    action: "case.action_refused",
    outcome: "REFUSED",
    reason: "FORBIDDEN",
    actorId: by.id,
    caseId,
  });
  return error as DomainError;
}

describe("a case is worked only by its team", () => {
  it("an agent of another team cannot record a step, send a link, issue a pass or close a case: refused, audited, nothing changed", async () => {
    const south = await staffIn(SOUTH);
    const north = await actor("AGENT");
    const { user } = await userWithManager();
    const { caseId: openId } = await openCase({
      actor: north,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    const { agent: verifier, caseId: verifiedId } = await verifiedStandardCase();

    const refusals = [
      await expectForbidden(openId, south, () =>
        recordStep({ actor: south, caseId: openId, kind: "CALLBACK", outcome: "PASSED", note: "" }),
      ),
      await expectForbidden(openId, south, () =>
        sendStepLink({ actor: south, caseId: openId, kind: "MANAGER_CONFIRMATION" }),
      ),
      await expectForbidden(verifiedId, south, () =>
        issueTap({ actor: south, caseId: verifiedId, lifetimeMinutes: 60, multiUse: false }),
      ),
      await expectForbidden(openId, south, () =>
        closeCase({ actor: south, caseId: openId, closeReason: "Not ours" }),
      ),
    ];
    for (const refusal of refusals)
      expect(refusal.userMessage).toMatch(
        /This case belongs to Service Desk North, not Service Desk South/,
      );

    // The case's own team may do each of these: the refusals were about the team, not the case.
    await recordStep({
      actor: north,
      caseId: openId,
      kind: "CALLBACK",
      outcome: "PASSED",
      note: "",
    });
    await sendStepLink({ actor: north, caseId: openId, kind: "MANAGER_CONFIRMATION" });
    await issueTap({ actor: verifier, caseId: verifiedId, lifetimeMinutes: 60, multiUse: false });
    expect(await closeCase({ actor: north, caseId: openId, closeReason: "Resolved" })).toEqual({
      userTold: false,
    });
  });

  it("a supervisor of another team cannot approve a re-enrolment: refused, the request still waits for the case's team", async () => {
    const { agent, user, caseId } = await verifiedHighRiskCase();
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [user.passkeys[0]!.id] });
    const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
    const southSupervisor = await staffIn(SOUTH, "SUPERVISOR");

    await expectForbidden(caseId, southSupervisor, () =>
      decideReenrolment({
        actor: southSupervisor,
        approvalId: approval.id,
        decision: "approve",
        reason: "Looks fine",
      }),
    );
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe(
      "PENDING",
    );

    expect(
      await decideReenrolment({
        actor: await staffIn(NORTH, "SUPERVISOR"),
        approvalId: approval.id,
        decision: "approve",
        reason: "Video ID matched",
      }),
    ).toMatchObject({
      outcome: "approved",
    });
  });

  it("an agent or a supervisor without a team is refused with a message that says they have no team", async () => {
    const { agent, user, caseId } = await verifiedHighRiskCase();
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
    const approval = await db.approval.findFirstOrThrow({ where: { caseId } });
    const teamlessAgent = await staffIn(null, "AGENT");
    const teamlessSupervisor = await staffIn(null, "SUPERVISOR");

    const refusals = [
      await expectForbidden(caseId, teamlessAgent, () =>
        closeCase({ actor: teamlessAgent, caseId, closeReason: "" }),
      ),
      await expectForbidden(caseId, teamlessSupervisor, () =>
        decideReenrolment({
          actor: teamlessSupervisor,
          approvalId: approval.id,
          decision: "approve",
          reason: "",
        }),
      ),
    ];
    const opening = await openCase({
      actor: teamlessAgent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    }).catch((e: unknown) => e);
    refusals.push(opening as DomainError);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal.code).toBe("FORBIDDEN");
      expect(refusal.userMessage).toMatch(/no team/);
    }
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(1);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "case.action_refused",
      reason: "FORBIDDEN",
      actorId: teamlessAgent.id,
    });
  });

  it("a case handed over to another team is worked by that team, and the team that handed it over is refused", async () => {
    const south = await staffIn(SOUTH);
    const north = await actor("AGENT");
    const { user } = await userWithManager();
    const { caseId } = await openCase({
      actor: north,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Travelling, calling the south desk",
    });
    await expectForbidden(caseId, south, () =>
      recordStep({ actor: south, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" }),
    );

    await transferCase({
      actor: north,
      caseId,
      team: SOUTH,
      note: "Caller is at the south office",
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).team).toBe(SOUTH);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "case.transferred" } }),
    ).toMatchObject({ actorId: north.id, data: { from: NORTH, to: SOUTH } });

    expect(
      await recordStep({
        actor: south,
        caseId,
        kind: "CALLBACK",
        outcome: "PASSED",
        note: "Answered on the number of record",
      }),
    ).toEqual({
      complete: false,
      stopped: false,
    });
    const refusal = await expectForbidden(caseId, north, () =>
      recordStep({ actor: north, caseId, kind: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" }),
    );
    expect(refusal.userMessage).toMatch(/belongs to Service Desk South/);
  });

  it("revocation never waits for a team: an agent of another team revokes a user's passkey at once", async () => {
    const north = await actor("AGENT");
    const { user } = await userWithManager({ passkeys: 2 });
    await openCase({
      actor: north,
      userId: user.id,
      reason: "STOLEN_DEVICE",
      channel: "PHONE",
      callerClaim: "Phone stolen",
    });
    const south = await staffIn(SOUTH);

    expect(
      await revokePasskeys({
        actor: south,
        userId: user.id,
        request: { scope: "ONE", passkeyId: user.passkeys[0]!.id },
        reason: "STOLEN",
      }),
    ).toEqual({ revoked: 1 });
    expect(
      await db.passkey.findUniqueOrThrow({ where: { id: user.passkeys[0]!.id } }),
    ).toMatchObject({ status: "REVOKED", revokedById: south.id });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id, action: "passkey.revoked" },
      }),
    ).toMatchObject({ outcome: "ALLOWED", actorId: south.id });
  });
});

describe("a person who leaves or is suspended loses every way in at once", () => {
  const cases: [EmploymentStatus, string][] = [
    ["LEFT", "the person is a leaver"],
    ["SUSPENDED", "the person is suspended"],
  ];
  for (const [status, detail] of cases) {
    it(`once ${status}, their passkey no longer signs in (audited), their session ends, their open cases close, and no new case can be opened`, async () => {
      const { user, passkey, firstCaseId } = await userWithSoftwarePasskey();
      const signIn = async () => {
        const { challenge } = await startWorkforceSignIn();
        return finishWorkforceSignIn({
          response: passkey.authenticate(challenge, user.webauthnUserId),
        });
      };
      const { token } = await signIn();
      expect(await resumeWorkforceSession(token)).not.toBeNull();
      const agent = await actor("AGENT");
      const { caseId: openId } = await openCase({
        actor: agent,
        userId: user.id,
        reason: "LOCKED_OUT",
        channel: "PHONE",
        callerClaim: "",
      });

      expect(
        await changeEmploymentStatus({
          actor: { type: "SYSTEM", name: "HR" },
          userId: user.id,
          status,
        }),
      ).toMatchObject({ closedCases: 2 });

      expect(await resumeWorkforceSession(token)).toBeNull();
      for (const id of [firstCaseId, openId])
        expect((await db.recoveryCase.findUniqueOrThrow({ where: { id } })).status).toBe("CLOSED");

      const refused = await signIn().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe("INVALID_INPUT");
      expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
      expect(
        await db.auditEvent.findFirstOrThrow({
          where: { subjectUserId: user.id },
          orderBy: { id: "desc" },
        }),
      ).toMatchObject({
        action: "workforce.sign_in_refused",
        outcome: "REFUSED",
        data: { detail },
      });
      // Passkeys stay on record (a suspension can be lifted); they just do not work.
      expect(
        (await db.passkey.findUniqueOrThrow({ where: { credentialId: passkey.id } })).status,
      ).toBe("ACTIVE");

      const opening = await openCase({
        actor: agent,
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
      }).catch((e: unknown) => e);
      expect(opening).toBeInstanceOf(DomainError);
      expect((opening as DomainError).code).toBe("LEAVER");
      expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(2);
      expect(
        await db.auditEvent.findFirstOrThrow({
          where: { subjectUserId: user.id },
          orderBy: { id: "desc" },
        }),
      ).toMatchObject({
        action: "case.action_refused",
        reason: "LEAVER",
      });
    });
  }
});
