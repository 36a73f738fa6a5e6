/**
 * Supervisors are told (docs/decisions/024): the mail a waiting re-enrolment sends to the team's
 * supervisors who may decide it, the count on the "Approvals" badge, and the sweep that lapses
 * requests nobody decided in time, on the real database, alone and racing a supervisor's click
 * or a second instance's sweep.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decideApproval } from "@/lib/domain/approval";
import { DomainError } from "@/lib/domain/errors";
import type { StaffRole } from "@/lib/domain/roles";
import { publicUrl } from "@/lib/env";
import { loadCase } from "@/lib/server/cases/unit-of-work";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { countWaitingApprovals, findPendingApprovals } from "@/lib/server/find-pending-approvals";
import { lapseExpiredApprovals } from "@/lib/server/lapse-expired-approvals";
import { openCase } from "@/lib/server/open-case";
import { recordStep } from "@/lib/server/record-step";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { unseal } from "@/lib/server/sealed";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { confirmAsManager, userWithManager } from "@/tests/recovery";

/** A team of its own per test: the file's database is shared by its tests. */
const newTeam = () => `Desk ${randomUUID().slice(0, 8)}`;

async function member(
  role: StaffRole,
  team: string | null,
  overrides: { active?: boolean } = {},
): Promise<CurrentStaff> {
  const staff = await createStaff(db, { role, team, ...overrides });
  return { ...staff, role, sessionExpires: new Date(Date.now() + 60 * 60_000) };
}

/**
 * A high-risk caller verified on a case of `team`'s agent and a re-enrolment waiting for a
 * supervisor. `recorder` records the employee-record step, `linker` sends the manager's
 * confirmation, `requester` asks for the re-enrolment (each the agent unless given).
 */
async function pendingIn(
  team: string,
  who: { requester?: CurrentStaff; recorder?: CurrentStaff; linker?: CurrentStaff } = {},
) {
  const agent = await member("AGENT", team);
  const { user, manager } = await userWithManager({ riskTier: "HIGH_RISK", passkeys: 2 });
  const { caseId } = await openCase({
    actor: agent,
    userId: user.id,
    reason: "LOST_DEVICE",
    channel: "VIDEO",
    callerClaim: "",
  });
  for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const)
    await recordStep({
      actor: kind === "EMPLOYEE_RECORD" ? (who.recorder ?? agent) : agent,
      caseId,
      kind,
      outcome: "PASSED",
      note: "",
    });
  await confirmAsManager(caseId, who.linker ?? agent, manager.emails[0]!.address);
  const requester = who.requester ?? agent;
  expect(
    await requestReenrolment({
      actor: requester,
      caseId,
      revokePasskeyIds: [user.passkeys[0]!.id],
    }),
  ).toEqual({ status: "pending_approval", reason: "high-risk tier" });
  const approval = await db.approval.findFirstOrThrow({ where: { caseId, status: "PENDING" } });
  return { agent, requester, user, caseId, approval };
}

/** Messages of one kind queued about a case, opened. */
async function mail(caseId: string, kind: string) {
  const messages = await db.outboxMessage.findMany({
    where: { caseId, kind },
    orderBy: { createdAt: "asc" },
  });
  return messages.map((message) => ({ to: message.toAddress, text: unseal(message.body) }));
}

const events = (caseId: string, action: string) =>
  db.auditEvent.findMany({ where: { caseId, action }, orderBy: { id: "asc" } });

async function refusal(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("a waiting re-enrolment is mailed to the supervisors who may decide it", () => {
  it("mails each active supervisor of the case's team who may decide it, and nobody else; the request's audit names them", async () => {
    const team = newTeam();
    const [first, second] = [await member("SUPERVISOR", team), await member("SUPERVISOR", team)];
    const away = await member("SUPERVISOR", team, { active: false });
    const recorder = await member("SUPERVISOR", team);
    const linker = await member("SUPERVISOR", team);
    const requester = await member("SUPERVISOR", team);
    const elsewhere = await member("SUPERVISOR", newTeam());
    const reviewer = await member("SECURITY", null);

    const { agent, user, caseId, approval } = await pendingIn(team, {
      recorder,
      linker,
      requester,
    });

    const sent = await mail(caseId, "approval.waiting");
    expect(sent.map((m) => m.to).sort()).toEqual([first.email, second.email].sort());
    for (const nobody of [away, recorder, linker, requester, elsewhere, reviewer, agent])
      expect(sent.map((m) => m.to)).not.toContain(nobody.email);

    const [requested] = await events(caseId, "reenrolment.requested");
    expect(requested!.data).toMatchObject({ needsApproval: true, needReason: "high-risk tier" });
    expect(
      ((requested!.data as { supervisorsTold: string[] }).supervisorsTold ?? []).sort(),
    ).toEqual([first.id, second.id].sort());

    // What is asked, why, until when, and an absolute link to the queue: nothing secret.
    const { text } = sent.find((m) => m.to === first.email)!;
    const lapses = approval.expiresAt!.toISOString().slice(0, 16).replace("T", " ");
    expect(text).toContain(`Hello ${first.name},`);
    expect(text).toContain(
      `${requester.name} asks a second person to approve a passkey re-enrolment for ${user.name} (${user.employeeId}).`,
    );
    expect(text).toContain("revoking 1 lost passkey in the same step");
    expect(text).toContain("Why a second person: high-risk tier.");
    expect(text).toContain(`It lapses at ${lapses} UTC (30 minutes after the request)`);
    expect(text).toContain(`\n${publicUrl}/approvals`);
    expect(text.match(/https?:\/\/\S+/g)).toEqual([`${publicUrl}/approvals`]);
    for (const address of user.emails) expect(text).not.toContain(address.address);

    // The ones told are exactly the ones the server lets decide: the recorder is refused.
    expect(
      (
        await refusal(
          decideReenrolment({
            actor: recorder,
            approvalId: approval.id,
            decision: "approve",
            reason: "",
          }),
        )
      ).code,
    ).toBe("FORBIDDEN");
    expect(
      await decideReenrolment({
        actor: first,
        approvalId: approval.id,
        decision: "approve",
        reason: "Video ID matched",
      }),
    ).toMatchObject({ outcome: "approved" });
  });

  it("tells nobody, and says so, when the team has no other supervisor", async () => {
    const team = newTeam();
    const { caseId } = await pendingIn(team);
    expect(await mail(caseId, "approval.waiting")).toEqual([]);
    const [requested] = await events(caseId, "reenrolment.requested");
    expect(requested!.data).toMatchObject({ supervisorsTold: [] });
  });
});

describe("the approvals badge counts what this supervisor may decide", () => {
  it("counts the team's pending, unexpired requests, never their own or a case they worked, in agreement with the decision rule", async () => {
    const team = newTeam();
    const other = newTeam();
    const viewer = await member("SUPERVISOR", team);
    const requester = await member("SUPERVISOR", team);
    const recorder = await member("SUPERVISOR", team);
    const linker = await member("SUPERVISOR", team);
    const decider = await member("SUPERVISOR", team);
    const theirs = await member("SUPERVISOR", other);

    const plain = await pendingIn(team);
    const asked = await pendingIn(team, { requester });
    const recorded = await pendingIn(team, { recorder });
    const linked = await pendingIn(team, { linker });
    const expired = await pendingIn(team);
    await db.approval.update({
      where: { id: expired.approval.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const decided = await pendingIn(team);
    await decideReenrolment({
      actor: decider,
      approvalId: decided.approval.id,
      decision: "approve",
      reason: "ok",
    });
    const abroad = await pendingIn(other);

    const now = new Date();
    const waiting = [plain, asked, recorded, linked].map((p) => p.approval.id);
    // The decision rule, as decideReenrolment applies it (the case's facts, decideApproval).
    async function decidableFor(staff: CurrentStaff) {
      const ids: string[] = [];
      for (const p of [plain, asked, recorded, linked, expired, decided, abroad]) {
        const approval = await db.approval.findUniqueOrThrow({ where: { id: p.approval.id } });
        const loaded = (await loadCase(db, p.caseId, now))!;
        const sameTeam = loaded.kase.team === staff.team;
        const rule = decideApproval({
          approver: staff,
          requestedById: approval.requestedById,
          verifiedByIds: loaded.workedByIds,
          status: approval.status,
          expiresAt: approval.expiresAt,
          now,
        });
        if (sameTeam && rule.ok) ids.push(p.approval.id);
      }
      return ids.sort();
    }

    const expected: [CurrentStaff, string[]][] = [
      [viewer, waiting],
      [requester, waiting.filter((id) => id !== asked.approval.id)],
      [recorder, waiting.filter((id) => id !== recorded.approval.id)],
      [linker, waiting.filter((id) => id !== linked.approval.id)],
      // Deciding one case does not bar the decider from the team's other requests.
      [decider, waiting],
      [theirs, [abroad.approval.id]],
    ];
    for (const [staff, ids] of expected) {
      expect(await decidableFor(staff)).toEqual([...ids].sort());
      expect(await countWaitingApprovals(staff, now)).toBe(ids.length);
      const page = await findPendingApprovals(staff, now);
      expect(
        page
          .filter((a) => a.decidable)
          .map((a) => a.id)
          .sort(),
      ).toEqual([...ids].sort());
    }

    // Agents and reviewers have no badge; a supervisor without a team decides nothing.
    expect(await countWaitingApprovals(await member("AGENT", team), now)).toBe(0);
    expect(await countWaitingApprovals(await member("SECURITY", null), now)).toBe(0);
    expect(await countWaitingApprovals(await member("SUPERVISOR", null), now)).toBe(0);

    // The queue page shows the expired request as lapsed, not as one to decide.
    const page = await findPendingApprovals(viewer, now);
    expect(page.find((a) => a.id === expired.approval.id)).toMatchObject({
      lapsed: true,
      decidable: false,
    });
    expect(page.find((a) => a.id === decided.approval.id)).toBeUndefined();
  });
});

describe("the sweep lapses requests nobody decided in time", () => {
  it("marks it EXPIRED, moves the case back, audits approval.lapsed as the console and mails the agent who asked; a request with time left stays", async () => {
    const team = newTeam();
    const supervisor = await member("SUPERVISOR", team);
    const late = await pendingIn(team);
    const timely = await pendingIn(team);
    await db.approval.update({
      where: { id: late.approval.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await countWaitingApprovals(supervisor)).toBe(1);

    const swept = await lapseExpiredApprovals();
    expect(swept.failed).toEqual([]);
    expect(swept.lapsed).toBeGreaterThanOrEqual(1);

    expect(await db.approval.findUniqueOrThrow({ where: { id: late.approval.id } })).toMatchObject({
      status: "EXPIRED",
      decidedById: null,
    });
    expect(await db.recoveryCase.findUniqueOrThrow({ where: { id: late.caseId } })).toMatchObject({
      status: "VERIFIED",
    });
    const [lapsed, ...more] = await events(late.caseId, "approval.lapsed");
    expect(more).toEqual([]);
    expect(lapsed).toMatchObject({
      outcome: "REFUSED",
      reason: "SEQUENCE",
      actorType: "SYSTEM",
      actorName: "approval sweep",
      actorId: null,
      targetType: "approval",
      targetId: late.approval.id,
      subjectUserId: late.user.id,
      data: { why: "expired", snapshotHash: late.approval.snapshotHash, requesterTold: true },
    });
    const told = await mail(late.caseId, "approval.lapsed");
    expect(told.map((m) => m.to)).toEqual([late.agent.email]);
    expect(told[0]!.text).toContain(`Hello ${late.agent.name},`);
    expect(told[0]!.text).toContain(`${publicUrl}/cases/${late.caseId}`);

    // The one with time left is untouched; the badge counts only it.
    expect(
      await db.approval.findUniqueOrThrow({ where: { id: timely.approval.id } }),
    ).toMatchObject({ status: "PENDING" });
    expect(await db.recoveryCase.findUniqueOrThrow({ where: { id: timely.caseId } })).toMatchObject(
      { status: "PENDING_APPROVAL" },
    );
    expect(await countWaitingApprovals(supervisor)).toBe(1);

    // Sweeping again finds nothing more to do for it.
    await lapseExpiredApprovals();
    expect(await events(late.caseId, "approval.lapsed")).toHaveLength(1);
    expect(await mail(late.caseId, "approval.lapsed")).toHaveLength(1);

    // A click on it now is told it lapsed, and when; nothing changes.
    const error = await refusal(
      decideReenrolment({
        actor: supervisor,
        approvalId: late.approval.id,
        decision: "approve",
        reason: "",
      }),
    );
    expect(error.code).toBe("SEQUENCE");
    expect(error.userMessage).toMatch(
      /^This request lapsed unanswered at \d{4}-\d\d-\d\d \d\d:\d\d UTC: nothing was approved or denied\./,
    );
    expect(await db.enrolmentLink.count({ where: { caseId: late.caseId } })).toBe(0);

    // The agent asks again from the case: a new request waits.
    expect(
      await requestReenrolment({
        actor: late.agent,
        caseId: late.caseId,
        revokePasskeyIds: [late.user.passkeys[0]!.id],
      }),
    ).toMatchObject({ status: "pending_approval" });
    expect(await countWaitingApprovals(supervisor)).toBe(2);
  });

  it("does not mail an agent who has left the desk, and records that", async () => {
    const team = newTeam();
    const late = await pendingIn(team);
    await db.staff.update({ where: { id: late.agent.id }, data: { active: false } });
    await db.approval.update({
      where: { id: late.approval.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await lapseExpiredApprovals();
    expect(await mail(late.caseId, "approval.lapsed")).toEqual([]);
    expect((await events(late.caseId, "approval.lapsed"))[0]).toMatchObject({
      data: { requesterTold: false },
    });
  });

  it("a late click before the sweep lapses it then: the supervisor is told when, the agent mailed, and the sweep adds nothing", async () => {
    const team = newTeam();
    const supervisor = await member("SUPERVISOR", team);
    const late = await pendingIn(team);
    const later = new Date(late.approval.expiresAt!.getTime() + 60_000);
    const error = await refusal(
      decideReenrolment({
        actor: supervisor,
        approvalId: late.approval.id,
        decision: "approve",
        reason: "",
        now: later,
      }),
    );
    expect(error.userMessage).toMatch(/^This request lapsed unanswered at /);
    expect(await events(late.caseId, "approval.lapsed")).toEqual([
      expect.objectContaining({
        actorId: supervisor.id,
        data: expect.objectContaining({ requesterTold: true }),
      }),
    ]);
    expect((await mail(late.caseId, "approval.lapsed")).map((m) => m.to)).toEqual([
      late.agent.email,
    ]);
    await lapseExpiredApprovals({ now: later });
    expect(await events(late.caseId, "approval.lapsed")).toHaveLength(1);
    expect(await mail(late.caseId, "approval.lapsed")).toHaveLength(1);
  });

  it("races a supervisor deciding at the last moment: one of the two wins, audited once, and the loser changes nothing", async () => {
    const team = newTeam();
    const supervisor = await member("SUPERVISOR", team);
    // Same tick for most rounds, then the sweep held back a little, so both orders are met.
    const schedule = [0, 0, 0, 0, 0, 0, 5, 20, 50];
    for (const delay of schedule) {
      const p = await pendingIn(team);
      const expiresAt = p.approval.expiresAt!;
      // The click is read a second before the request's end; the sweep a second after it.
      const click = () =>
        decideReenrolment({
          actor: supervisor,
          approvalId: p.approval.id,
          decision: "approve",
          reason: "Video ID matched",
          now: new Date(expiresAt.getTime() - 1000),
        });
      const sweep = () => lapseExpiredApprovals({ now: new Date(expiresAt.getTime() + 1000) });
      const [clicked, swept] = await Promise.allSettled([
        click(),
        new Promise((resolve) => setTimeout(resolve, delay)).then(sweep),
      ]);
      expect(swept.status).toBe("fulfilled");
      expect(swept.status === "fulfilled" && swept.value.failed).toEqual([]);

      const approval = await db.approval.findUniqueOrThrow({ where: { id: p.approval.id } });
      const approved = await events(p.caseId, "approval.approved");
      const lapsed = await events(p.caseId, "approval.lapsed");
      expect(approved.length + lapsed.length).toBe(1);
      const kase = await db.recoveryCase.findUniqueOrThrow({ where: { id: p.caseId } });
      if (approval.status === "USED") {
        expect(clicked).toMatchObject({ status: "fulfilled", value: { outcome: "approved" } });
        expect(kase.status).toBe("APPROVED");
        expect(await db.enrolmentLink.count({ where: { caseId: p.caseId } })).toBe(1);
        expect(await mail(p.caseId, "approval.lapsed")).toEqual([]);
      } else {
        expect(approval.status).toBe("EXPIRED");
        expect(clicked.status).toBe("rejected");
        const reason = (clicked as PromiseRejectedResult).reason as DomainError;
        expect(reason).toBeInstanceOf(DomainError);
        expect(reason.userMessage).toMatch(/^This request lapsed unanswered at /);
        expect(lapsed[0]).toMatchObject({ actorType: "SYSTEM" });
        expect(kase.status).toBe("VERIFIED");
        expect(await db.enrolmentLink.count({ where: { caseId: p.caseId } })).toBe(0);
        expect(await mail(p.caseId, "approval.lapsed")).toHaveLength(1);
      }
    }
  });

  it("leaves a request decided in time alone, even once its time is past", async () => {
    const team = newTeam();
    const p = await pendingIn(team);
    await decideReenrolment({
      actor: await member("SUPERVISOR", team),
      approvalId: p.approval.id,
      decision: "approve",
      reason: "Video ID matched",
      now: new Date(p.approval.expiresAt!.getTime() - 1000),
    });
    await lapseExpiredApprovals({ now: new Date(p.approval.expiresAt!.getTime() + 1000) });
    expect(await db.approval.findUniqueOrThrow({ where: { id: p.approval.id } })).toMatchObject({
      status: "USED",
    });
    expect(await events(p.caseId, "approval.lapsed")).toEqual([]);
    expect(await mail(p.caseId, "approval.lapsed")).toEqual([]);
  });

  it("two instances sweeping at once lapse a request once: one audit event, one mail", async () => {
    const team = newTeam();
    for (let round = 0; round < 4; round++) {
      const p = await pendingIn(team);
      const now = new Date(p.approval.expiresAt!.getTime() + 1000);
      const results = await Promise.all([
        lapseExpiredApprovals({ now }),
        lapseExpiredApprovals({ now }),
      ]);
      expect(results.flatMap((r) => r.failed)).toEqual([]);
      expect(await events(p.caseId, "approval.lapsed")).toHaveLength(1);
      expect(await mail(p.caseId, "approval.lapsed")).toHaveLength(1);
      expect(await db.approval.findUniqueOrThrow({ where: { id: p.approval.id } })).toMatchObject({
        status: "EXPIRED",
      });
      expect(await db.recoveryCase.findUniqueOrThrow({ where: { id: p.caseId } })).toMatchObject({
        status: "VERIFIED",
      });
    }
  });
});
