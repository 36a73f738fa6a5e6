/**
 * The certification gate (docs/decisions/032) on every staff path that advances a recovery of a
 * gated tier, and the safe actions that stay open to an uncertified agent; and the award rules,
 * with PracticeRun rows written as a finished run leaves them.
 */
import { describe, expect, it } from "vitest";
import { addMonths } from "@/lib/domain/practice/certification";
import type { StaffRole } from "@/lib/domain/roles";
import type { RiskTier } from "@/lib/domain/workforce";
import { staffActor } from "@/lib/server/audit";
import { auditedTransaction } from "@/lib/server/audit";
import { addCaseNote, assignCase, setTicketReference } from "@/lib/server/cases/case-desk";
import { correctStep } from "@/lib/server/cases/correct-step";
import { transferCase } from "@/lib/server/cases/transfer-case";
import { closeCase } from "@/lib/server/close-case";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { awardCertificationIfEarned } from "@/lib/server/practice/certification";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordStep } from "@/lib/server/record-step";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { sendStepLink } from "@/lib/server/send-step-link";
import { db } from "@/tests/db";
import { certifyStaff, createStaff } from "@/tests/factories";
import { actor, userWithManager, verifiedHighRiskCase } from "@/tests/recovery";

const DAY = 24 * 60 * 60 * 1000;

async function staff(
  role: StaffRole = "AGENT",
  options: { certified?: boolean; team?: string } = {},
): Promise<CurrentStaff> {
  const row = await createStaff(db, {
    role,
    certified: options.certified ?? false,
    team: options.team ?? "Service Desk North",
  });
  return { ...row, role, sessionExpires: new Date(Date.now() + 60_000) };
}

/** An open case of `tier`, opened by a certified agent of Service Desk North. */
async function openCaseOf(tier: RiskTier) {
  const { user, manager } = await userWithManager({ riskTier: tier, passkeys: 2 });
  const opener = await actor("AGENT");
  const { caseId } = await openCase({
    actor: opener,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "VIDEO",
    callerClaim: "Lost my phone",
  });
  return { user, manager, caseId, opener };
}

async function refusalsOf(staffId: string) {
  return db.auditEvent.findMany({
    where: { actorId: staffId, action: "case.action_refused", reason: "NOT_CERTIFIED" },
    select: { data: true, caseId: true, subjectUserId: true },
  });
}

const GATED_PATHS: {
  name: string;
  role: StaffRole;
  attempted: string;
  run: (who: CurrentStaff, c: Awaited<ReturnType<typeof openCaseOf>>) => Promise<unknown>;
}[] = [
  {
    name: "open a case",
    role: "AGENT",
    attempted: "open",
    run: (who, c) =>
      openCase({
        actor: who,
        userId: c.user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "again",
      }),
  },
  {
    name: "record a step",
    role: "AGENT",
    attempted: "record callback",
    run: (who, c) =>
      recordStep({ actor: who, caseId: c.caseId, kind: "CALLBACK", outcome: "PASSED", note: "" }),
  },
  {
    name: "send a link",
    role: "AGENT",
    attempted: "send manager_confirmation link",
    run: (who, c) => sendStepLink({ actor: who, caseId: c.caseId, kind: "MANAGER_CONFIRMATION" }),
  },
  {
    name: "issue a pass",
    role: "AGENT",
    attempted: "issue temporary access pass",
    run: (who, c) =>
      issueTap({ actor: who, caseId: c.caseId, lifetimeMinutes: 30, multiUse: false }),
  },
  {
    name: "request a re-enrolment",
    role: "AGENT",
    attempted: "request re-enrolment",
    run: (who, c) => requestReenrolment({ actor: who, caseId: c.caseId, revokePasskeyIds: [] }),
  },
  {
    name: "correct a step",
    role: "SUPERVISOR",
    attempted: "correct callback",
    run: (who, c) => correctStep({ actor: who, caseId: c.caseId, kind: "CALLBACK", note: "typo" }),
  },
  {
    name: "take the case",
    role: "AGENT",
    attempted: "take the case",
    run: (who, c) => assignCase({ actor: who, caseId: c.caseId, to: who.id }),
  },
];

describe("the gate on every path that works a case", () => {
  describe.each(["PRIVILEGED", "HIGH_RISK"] as const)("a %s person", (tier) => {
    it.each(GATED_PATHS)(
      "$name: refused to an uncertified $role, audited",
      async ({ role, attempted, run }) => {
        const c = await openCaseOf(tier);
        const who = await staff(role);
        const stepsBefore = await db.checklistStep.findMany({
          where: { run: { caseId: c.caseId } },
          select: { outcome: true },
        });
        await expect(run(who, c)).rejects.toMatchObject({
          code: "NOT_CERTIFIED",
          userMessage: expect.stringContaining("you have none yet. Practise at /practice"),
        });
        const refusals = await refusalsOf(who.id);
        expect(refusals).toHaveLength(1);
        expect(refusals[0]).toMatchObject({
          subjectUserId: c.user.id,
          data: { attempted },
        });
        // Nothing else changed: no new case, no step, no link, no pass, no approval, same owner.
        expect(await db.recoveryCase.count({ where: { userId: c.user.id } })).toBe(1);
        expect(
          await db.checklistStep.findMany({
            where: { run: { caseId: c.caseId } },
            select: { outcome: true },
          }),
        ).toEqual(stepsBefore);
        expect(await db.stepLink.count({ where: { caseId: c.caseId } })).toBe(0);
        expect(await db.temporaryAccessPass.count({ where: { caseId: c.caseId } })).toBe(0);
        expect(await db.approval.count({ where: { caseId: c.caseId } })).toBe(0);
        expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: c.caseId } })).ownerId).toBe(
          c.opener.id,
        );
      },
    );
  });

  it("a standard person's recovery needs no certification", async () => {
    const { user } = await userWithManager({ riskTier: "STANDARD" });
    const who = await staff("AGENT");
    const { caseId } = await openCase({
      actor: who,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    await recordStep({ actor: who, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
    expect(await refusalsOf(who.id)).toEqual([]);
  });

  it("allowed once certified, refused again after the certification expired, saying when", async () => {
    const c = await openCaseOf("PRIVILEGED");
    const who = await staff("AGENT");
    const certification = await certifyStaff(db, who.id);
    await recordStep({
      actor: who,
      caseId: c.caseId,
      kind: "CALLBACK",
      outcome: "PASSED",
      note: "",
    });
    // A year later it has expired (the clock is the certification's: it is moved into the past).
    await db.staffCertification.update({
      where: { id: certification.id },
      data: {
        certifiedAt: new Date(Date.now() - 400 * DAY),
        expiresAt: new Date("2026-01-15T09:00:00Z"),
      },
    });
    await expect(
      recordStep({
        actor: who,
        caseId: c.caseId,
        kind: "ID_DOCUMENT",
        outcome: "PASSED",
        note: "",
      }),
    ).rejects.toMatchObject({
      code: "NOT_CERTIFIED",
      userMessage: expect.stringContaining("yours expired on 15 January 2026"),
    });
    expect(await refusalsOf(who.id)).toHaveLength(1);
  });
});

describe("safe actions stay open to an uncertified agent", () => {
  it("a note, a ticket, a red flag, handing over to a team, closing and revoking", async () => {
    const c = await openCaseOf("HIGH_RISK");
    const who = await staff("AGENT");
    await addCaseNote({ actor: who, caseId: c.caseId, body: "Caller rang back" });
    await setTicketReference({ actor: who, caseId: c.caseId, ticket: "INC0012345" });
    await raiseRedFlag({ actor: who, caseId: c.caseId, kind: "PRESSURE", note: "urgent" });
    await staff("AGENT", { certified: true, team: "Service Desk South" });
    await transferCase({
      actor: who,
      caseId: c.caseId,
      team: "Service Desk South",
      note: "theirs",
    });

    const other = await openCaseOf("PRIVILEGED");
    await closeCase({ actor: who, caseId: other.caseId, closeReason: "Caller hung up" });
    const passkey = await db.passkey.findFirstOrThrow({ where: { userId: other.user.id } });
    await revokePasskeys({
      actor: who,
      userId: other.user.id,
      request: { scope: "ONE", passkeyId: passkey.id },
      reason: "LOST",
    });
    expect(await refusalsOf(who.id)).toEqual([]);
  });

  it("handing a case to a colleague: refused when they are not certified for its tier, allowed when they are", async () => {
    const c = await openCaseOf("HIGH_RISK");
    const uncertified = await staff("AGENT");
    const certified = await staff("AGENT", { certified: true });
    await expect(
      assignCase({ actor: c.opener, caseId: c.caseId, to: uncertified.id }),
    ).rejects.toMatchObject({
      code: "NOT_CERTIFIED",
      userMessage: expect.stringContaining(`${uncertified.name} has none`),
    });
    await assignCase({ actor: uncertified, caseId: c.caseId, to: certified.id });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: c.caseId } })).ownerId).toBe(
      certified.id,
    );
  });

  it("the second person needs a certification to approve, not to deny", async () => {
    const { agent, caseId } = await verifiedHighRiskCase();
    const passkeys = await db.passkey.findMany({
      where: { user: { cases: { some: { id: caseId } } } },
      select: { id: true },
    });
    await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: passkeys.map((p) => p.id) });
    const { id: approvalId } = await db.approval.findFirstOrThrow({ where: { caseId } });
    const supervisor = await staff("SUPERVISOR");
    const refusal = await decideReenrolment({
      actor: supervisor,
      approvalId,
      decision: "approve",
      reason: "Checked",
    }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "NOT_CERTIFIED" });
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe(
      "PENDING",
    );
    expect(
      await db.auditEvent.count({
        where: { caseId, action: "case.action_refused", reason: "NOT_CERTIFIED" },
      }),
    ).toBe(1);
    // Denying only stops a recovery: no certification needed.
    await expect(
      decideReenrolment({ actor: supervisor, approvalId, decision: "deny", reason: "Not sure" }),
    ).resolves.toMatchObject({ outcome: "denied" });
  });
});

// ---------------------------------------------------------------------------
// The award.
// ---------------------------------------------------------------------------

let scenarioCounter = 0;
async function finishedRun(
  staffId: string,
  fields: {
    key?: string;
    impostor?: boolean;
    safe?: boolean;
    passed?: boolean;
    finishedAt?: Date;
  } = {},
) {
  const finishedAt = fields.finishedAt ?? new Date(Date.now() - 60_000);
  return db.practiceRun.create({
    data: {
      staffId,
      team: "Service Desk North",
      scenarioKey: fields.key ?? `scenario-${++scenarioCounter}`,
      scenarioVersion: 1,
      scenario: {},
      scenarioHash: "0".repeat(64),
      impostor: fields.impostor ?? false,
      policyVersion: 2,
      startedAt: new Date(finishedAt.getTime() - 10 * 60_000),
      finishedAt,
      score: fields.passed === false ? 40 : 90,
      safe: fields.safe ?? true,
      passed: fields.passed ?? true,
    },
  });
}

/** Eight passed scenarios, four of them impostors. */
async function fullSet(staffId: string, finishedAt?: Date) {
  const runs = [];
  for (let i = 0; i < 8; i++)
    runs.push(await finishedRun(staffId, { impostor: i < 4, finishedAt }));
  return runs;
}

async function award(staffId: string, now = new Date()) {
  const row = await db.staff.findUniqueOrThrow({ where: { id: staffId } });
  return auditedTransaction(db, (tx) =>
    awardCertificationIfEarned(tx, {
      staffId,
      now,
      actor: staffActor({ id: row.id, name: row.name, role: row.role }),
    }),
  );
}

describe("awardCertificationIfEarned", () => {
  it("certifies on the eighth distinct scenario with four impostors, for twelve months, audited", async () => {
    const who = await staff("AGENT");
    const runs = await fullSet(who.id);
    expect(await award(who.id, new Date(Date.now() - 2 * 60_000))).toBeNull();
    const now = new Date();
    const granted = await award(who.id, now);
    expect(granted).toEqual({ expiresAt: addMonths(now, 12) });
    const row = await db.staffCertification.findFirstOrThrow({ where: { staffId: who.id } });
    expect(row).toMatchObject({
      basis: "practice",
      policyVersion: 3,
      expiresAt: addMonths(now, 12),
    });
    expect([...row.runIds].sort()).toEqual(runs.map((r) => r.id).sort());
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "certification.granted", actorId: who.id },
    });
    expect(event.data).toMatchObject({ staffId: who.id, basis: "practice" });
    // Earned already: a further finished run grants nothing more.
    await finishedRun(who.id);
    expect(await award(who.id)).toBeNull();
    expect(await db.staffCertification.count({ where: { staffId: who.id } })).toBe(1);
  });

  it("seven scenarios, or eight without enough impostors, are not enough", async () => {
    const who = await staff("AGENT");
    for (let i = 0; i < 7; i++) await finishedRun(who.id, { impostor: i < 4 });
    expect(await award(who.id)).toBeNull();
    const other = await staff("AGENT");
    for (let i = 0; i < 8; i++) await finishedRun(other.id, { impostor: i < 3 });
    expect(await award(other.id)).toBeNull();
    expect(
      await db.staffCertification.count({ where: { staffId: { in: [who.id, other.id] } } }),
    ).toBe(0);
  });

  it("being taken in by an impostor resets the count", async () => {
    const who = await staff("AGENT");
    const earlier = new Date(Date.now() - 3 * DAY);
    for (let i = 0; i < 7; i++) await finishedRun(who.id, { impostor: i < 4, finishedAt: earlier });
    await finishedRun(who.id, {
      impostor: true,
      safe: false,
      passed: false,
      finishedAt: new Date(Date.now() - 2 * DAY),
    });
    await finishedRun(who.id);
    expect(await award(who.id)).toBeNull();
    await fullSet(who.id);
    expect(await award(who.id)).not.toBeNull();
  });

  it("recertifies within the reminder window only with practice after the previous certification", async () => {
    const who = await staff("AGENT");
    const certifiedAt = new Date(Date.now() - 340 * DAY);
    await certifyStaff(db, who.id, { certifiedAt, expiresAt: addMonths(certifiedAt, 12) });
    await fullSet(who.id, new Date(certifiedAt.getTime() - DAY));
    expect(await award(who.id)).toBeNull();
    await fullSet(who.id);
    const now = new Date();
    expect(await award(who.id, now)).toEqual({ expiresAt: addMonths(now, 12) });
    expect(await db.staffCertification.count({ where: { staffId: who.id } })).toBe(2);
  });

  it("two runs finishing at once grant one certification", async () => {
    const who = await staff("AGENT");
    await fullSet(who.id);
    const results = await Promise.all([award(who.id), award(who.id)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.staffCertification.count({ where: { staffId: who.id } })).toBe(1);
  });
});
