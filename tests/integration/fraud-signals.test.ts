/**
 * Fraud signals across calls (docs/decisions/031), end to end on PostgreSQL: the seeded campaign
 * (five calls for five admins from one number within an hour, some at the same moment: one
 * signal, all five calls in its evidence, every case escalated), each other rule raised once
 * through the use case that reveals it, a stop that holds on every path, a review that lifts it,
 * the mail to security with its link, and the trail. Calls are opened at a fixed time of day
 * (`DAY`), so the unusual-hour rule is raised only where a test asks for it.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { approvalNeed, stopReason } from "@/lib/domain/recovery-decisions";
import type { Tx } from "@/lib/server/audit";
import { loadCase } from "@/lib/server/cases/unit-of-work";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordContact } from "@/lib/server/record-contact";
import { recordStep } from "@/lib/server/record-step";
import { redeemTap } from "@/lib/server/redeem-tap";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { applySignalEffects } from "@/lib/server/signals/apply-signal-effects";
import { reviewSignal } from "@/lib/server/signals/review-signal";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import {
  actor,
  confirmAsManager,
  messageOfKind,
  passIn,
  userWithManager,
  verifiedStandardCase,
} from "@/tests/recovery";

/** 12:00 in London today (or yesterday, if that is still to come): inside the desk's hours. */
function middayLondon(): Date {
  const at = new Date();
  at.setUTCHours(12, 0, 0, 0);
  if (at > new Date()) at.setUTCDate(at.getUTCDate() - 1);
  return at;
}
const minutesAfter = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The facts the server decides on, read as the case page reads them. */
async function factsOf(caseId: string) {
  const loaded = await loadCase(db as unknown as Tx, caseId, new Date());
  return loaded!;
}

async function signalsNaming(caseId: string) {
  return db.fraudSignal.findMany({
    where: { cases: { some: { caseId } } },
    include: { cases: true },
  });
}

const open = (
  agent: CurrentStaff,
  userId: string,
  extra: { callerId?: string; offeredContact?: string; now?: Date } = {},
) =>
  openCase({
    actor: agent,
    userId,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "Lost my phone",
    // At midday on the desk's clock unless a test says otherwise, so that a run at night does not
    // add an unusual-hour finding to the signal a test looks at.
    now: middayLondon(),
    ...extra,
  });

describe("the seeded campaign: five calls for different admins from one number within an hour", () => {
  it("raises one signal with all five calls as evidence, escalates every case, mails security with the link, and a dismissal lifts it", async () => {
    const reviewer = await actor("SECURITY");
    const agents = await Promise.all([actor(), actor(), actor()]);
    const admins = await Promise.all(
      Array.from({ length: 5 }, () => createWorkforceUser(db, { riskTier: "PRIVILEGED" })),
    );
    const start = middayLondon();
    const callerId = "+44 20 7946 0123";
    // Two calls one after the other, then three at the same moment (different people, so
    // different user locks: only the signal's advisory lock keeps them to one signal).
    const first = await open(agents[0]!, admins[0]!.id, { callerId, now: start });
    const second = await open(agents[1]!, admins[1]!.id, {
      callerId: "020 7946 0123",
      now: minutesAfter(start, 10),
    });
    const rest = await Promise.all(
      admins.slice(2).map((admin, i) =>
        open(agents[i % 3]!, admin.id, {
          callerId: "+442079460123",
          now: minutesAfter(start, 30),
        }),
      ),
    );
    const caseIds = [first, second, ...rest].map((c) => c.caseId);

    const signals = await db.fraudSignal.findMany({ include: { cases: true } });
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    expect(signal!.status).toBe("OPEN");
    expect(signal!.effect).toBe("escalate");
    expect(signal!.rules).toEqual(expect.arrayContaining(["shared-contact", "privileged-burst"]));
    const evidence = signal!.evidence as {
      rule: string;
      caseIds: string[];
      facts: Record<string, unknown>;
    }[];
    const shared = evidence.find((e) => e.rule === "shared-contact")!;
    expect([...shared.caseIds].sort()).toEqual([...caseIds].sort());
    expect(shared.facts).toMatchObject({ contact: "+44•••••••123", people: 5, calls: 5 });
    // What a reviewer reads is masked (the key, which merges repeats, is the normalised number).
    expect(JSON.stringify(evidence.map((e) => e.facts))).not.toContain("79460123");
    expect(signal!.summary).not.toContain("79460123");
    expect(signal!.cases.map((c) => c.caseId).sort()).toEqual([...caseIds].sort());

    for (const caseId of caseIds) {
      const row = signal!.cases.find((c) => c.caseId === caseId)!;
      expect(row.effect).toBe("escalate");
      // Applied to every case: the caller's own in its transaction, the others just after.
      expect(row.appliedAt).not.toBeNull();
      const { facts, policy, kase } = await factsOf(caseId);
      expect(kase.needsApproval).toBe(true);
      expect(approvalNeed(policy, facts)).toMatch(/^a fraud signal: /);
      expect(stopReason(policy, facts)).toBeNull();
    }
    // No pass on these cases (the checklist is not done, and a pass would need a supervisor).
    await refused(
      issueTap({ actor: agents[0]!, caseId: first.caseId, lifetimeMinutes: 30, multiUse: false }),
    );

    // Security was told, with an absolute link to the signal and to the first case.
    const mail = await messageOfKind(reviewer.email, "security.signal");
    expect(mail.subject).toMatch(/^Fraud signal raised/);
    expect(mail.text).toContain(`/signals/${signal!.id}`);
    expect(mail.text).toContain(`/cases/${first.caseId}`);
    expect(mail.text).toMatch(/https?:\/\/[^\s]+\/signals\//);
    expect(mail.text).not.toContain("7946");
    expect(
      await db.outboxMessage.count({
        where: { toAddress: reviewer.email, kind: "security.signal" },
      }),
    ).toBe(1);

    // The trail: raised once, joined by each later call, applied to each case; no number in it.
    const trail = await db.auditEvent.findMany({
      where: { targetType: "signal", targetId: signal!.id },
      orderBy: { id: "asc" },
    });
    expect(trail.filter((e) => e.action === "signal.raised")).toHaveLength(1);
    expect(trail.filter((e) => e.action === "signal.updated")).toHaveLength(3);
    expect(
      trail
        .filter((e) => e.action === "signal.effect_applied")
        .map((e) => e.caseId)
        .sort(),
    ).toEqual([...caseIds].sort());
    const contacts = await db.auditEvent.findMany({ where: { action: "case.contact_recorded" } });
    expect(contacts).toHaveLength(5);
    expect(JSON.stringify(contacts.map((e) => e.data))).not.toContain("7946");

    // Dismissing lifts the escalation: the cases are judged without it (still privileged tier).
    await reviewSignal({
      actor: reviewer,
      signalId: signal!.id,
      decision: "dismissed",
      note: "Reception's shared line",
    });
    const after = await factsOf(first.caseId);
    expect(approvalNeed(after.policy, after.facts)).toBe("privileged tier");
  });
});

describe("each rule, raised through the use case that reveals it", () => {
  it("shared contact: an offered address recorded during a call voids the pass another person's case was sent", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false });
    const code = await passIn(address);
    expect(await recordContact({ actor: agent, caseId, value: "Help.Desk+1@Gmail.com" })).toEqual({
      signalled: false,
    });

    const other = await createWorkforceUser(db, {});
    const agentB = await actor();
    // Now, after the first call recorded the address (verifiedStandardCase opens at the real time).
    const { caseId: otherCase } = await open(agentB, other.id, {
      offeredContact: "help.desk@gmail.com",
      now: new Date(),
    });

    const [signal] = await signalsNaming(caseId);
    // (Run at night, the first case, opened at the real time, also carries an unusual-hour alert:
    // the shared contact joins that signal, one signal per campaign.)
    expect(signal!.rules).toContain("shared-contact");
    expect(signal!.cases.map((c) => c.caseId).sort()).toEqual([caseId, otherCase].sort());
    // The first person's case (another user's lock) was escalated after commit: its pass voided.
    const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } });
    expect(pass.voidedAt).not.toBeNull();
    expect(pass.voidReason).toBe("fraud signal: escalate");
    const redeem = await refused(redeemTap({ email: address, code }));
    expect(redeem.code).not.toBe("RATE_LIMITED");
    const { facts, policy } = await factsOf(caseId);
    expect(approvalNeed(policy, facts)).toMatch(/fraud signal/);
    await refused(issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false }));
  });

  it("shared contact: a bad value is refused with a clear message, changes nothing, and is audited", async () => {
    const agent = await actor();
    const user = await createWorkforceUser(db, {});
    const error = await refused(open(agent, user.id, { callerId: "call me maybe" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.userMessage).toMatch(/caller ID is not a phone number/);
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: user.id, action: "case.action_refused", outcome: "REFUSED" },
      }),
    ).toBe(1);
  });

  it("recent record change: a call two days after the phone of record changed is escalated", async () => {
    const agent = await actor();
    const user = await createWorkforceUser(db, {});
    const now = middayLondon();
    await db.workforceRecordChange.create({
      data: {
        userId: user.id,
        field: "PHONE",
        source: "hr",
        changedAt: new Date(now.getTime() - 2 * 24 * 60 * 60_000),
      },
    });
    const { caseId } = await open(agent, user.id, { now });
    const [signal] = await signalsNaming(caseId);
    expect(signal).toMatchObject({ rules: ["recent-record-change"], effect: "escalate" });
    expect((signal!.evidence as { facts: object }[])[0]!.facts).toMatchObject({
      fields: ["PHONE"],
      daysSinceChange: 2,
    });
    const { facts, policy } = await factsOf(caseId);
    expect(approvalNeed(policy, facts)).toBe("a fraud signal: call soon after a record change");
  });

  it("unusual hour: a call at 03:00 on the desk's clock, before it has history, is an alert only", async () => {
    const agent = await actor();
    const user = await createWorkforceUser(db, {});
    const night = new Date(Date.now() - 24 * 60 * 60_000);
    night.setUTCHours(3, 10, 0, 0); // November: London is on UTC
    const { caseId } = await open(agent, user.id, { now: night });
    const [signal] = await signalsNaming(caseId);
    expect(signal!.rules).toContain("unusual-hour");
    // The effect on this call is the rule's own: an alert (a run at night may have joined it to
    // another open signal whose other findings are stronger).
    expect(signal!.cases.find((c) => c.caseId === caseId)).toMatchObject({ effect: "alert" });
    // This call's finding (a run at night may have found other calls at unusual hours too).
    const finding = (signal!.evidence as { caseIds: string[]; facts: object }[]).find((entry) =>
      entry.caseIds.includes(caseId),
    );
    expect(finding!.facts).toMatchObject({ hour: "03:00", basis: "opening hours" });
    const { facts, policy } = await factsOf(caseId);
    expect(approvalNeed(policy, facts)).toBeNull();
  });

  it("failed after mismatch: a failed callback, then details that don't match", async () => {
    const agent = await actor();
    const { user } = await userWithManager();
    const { caseId } = await open(agent, user.id, { now: middayLondon() });
    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "FAILED", note: "" });
    expect(await signalsNaming(caseId)).toEqual([]);
    await raiseRedFlag({ actor: agent, caseId, kind: "DETAILS_MISMATCH", note: "Wrong manager" });
    const [signal] = await signalsNaming(caseId);
    expect(signal).toMatchObject({ rules: ["failed-after-mismatch"], effect: "alert" });
  });

  it("pass outlier: an agent's sixth pass in a week against peers' one each", async () => {
    const reviewer = await actor("SECURITY");
    // Two peers with one pass each.
    await passFor(await actor());
    await passFor(await actor());
    const busy = await actor();
    const cases: string[] = [];
    for (let i = 0; i < 5; i++) cases.push(await passFor(busy));
    expect(await db.fraudSignal.count({ where: { rules: { has: "pass-outlier" } } })).toBe(0);
    cases.push(await passFor(busy));
    const [signal] = await db.fraudSignal.findMany({ where: { rules: { has: "pass-outlier" } } });
    expect(signal).toMatchObject({ effect: "alert", keys: [`agent:${busy.id}`] });
    expect((signal!.evidence as { caseIds: string[] }[])[0]!.caseIds.sort()).toEqual(cases.sort());
    const mail = await messageOfKind(reviewer.email, "security.signal");
    expect(mail.text).toContain(`/signals/${signal!.id}`);
  });
});

/** A standard-tier case worked by `agent` to a pass (callback, record, manager). */
async function passFor(agent: CurrentStaff): Promise<string> {
  const { user, manager } = await userWithManager();
  const { caseId } = await open(agent, user.id, { now: middayLondon() });
  await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
  await recordStep({ actor: agent, caseId, kind: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" });
  await confirmAsManager(caseId, agent, manager.emails[0]!.address);
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false });
  return caseId;
}

describe("a stop holds on every path from the moment the signal commits", () => {
  it("refuses a pass, a re-enrolment and redeeming the pass already sent; the sweep voids it; dismissing lifts the stop", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false });
    const code = await passIn(address);
    // A signal whose stop committed, and a crash before it was applied to this case.
    const signal = await db.fraudSignal.create({
      data: {
        rules: ["shared-contact"],
        keys: ["contact:tel:+15555550100"],
        summary: "A number for two people",
        effect: "stop",
        evidence: [],
        cases: { create: { caseId, effect: "stop" } },
      },
    });

    expect(
      (await refused(issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false })))
        .code,
    ).toBe("STOPPED");
    expect(
      (await refused(requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] }))).code,
    ).toBe("STOPPED");
    await refused(redeemTap({ email: address, code }));
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await db.auditEvent.count({
        where: { caseId, action: "case.action_refused", reason: "STOPPED" },
      }),
    ).toBe(2);

    // The sweep applies it once, however often it runs.
    expect((await applySignalEffects()).applied).toBe(1);
    expect((await applySignalEffects()).applied).toBe(0);
    const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } });
    expect(pass.voidReason).toBe("fraud signal: stop");
    expect(await db.auditEvent.count({ where: { caseId, action: "signal.effect_applied" } })).toBe(
      1,
    );

    // Only a security reviewer reviews; an agent is refused, and the refusal is audited.
    const refusal = await refused(
      reviewSignal({ actor: agent, signalId: signal.id, decision: "dismissed", note: "" }),
    );
    expect(refusal.code).toBe("FORBIDDEN");
    expect(
      await db.auditEvent.count({
        where: { targetId: signal.id, action: "signal.review_refused", actorId: agent.id },
      }),
    ).toBe(1);

    const reviewer = await actor("SECURITY");
    await reviewSignal({
      actor: reviewer,
      signalId: signal.id,
      decision: "dismissed",
      note: "The number is the office switchboard",
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { targetId: signal.id, action: "signal.reviewed" },
      }),
    ).toMatchObject({
      actorId: reviewer.id,
      data: { decision: "dismissed", effect: "stop", cases: 1 },
    });
    // A second review is refused: it was reviewed.
    expect(
      (
        await refused(
          reviewSignal({ actor: reviewer, signalId: signal.id, decision: "confirmed", note: "" }),
        )
      ).code,
    ).toBe("SEQUENCE");
    // Lifted: a new pass may be issued.
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false });
  });

  it("a confirmed signal keeps its effect", async () => {
    const { agent, caseId } = await verifiedStandardCase();
    const signal = await db.fraudSignal.create({
      data: {
        rules: ["privileged-burst"],
        keys: ["burst"],
        summary: "A burst",
        effect: "stop",
        evidence: [],
        cases: { create: { caseId, effect: "stop" } },
      },
    });
    await reviewSignal({
      actor: await actor("SECURITY"),
      signalId: signal.id,
      decision: "confirmed",
      note: "An attack",
    });
    expect(
      (await refused(issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false })))
        .code,
    ).toBe("STOPPED");
  });
});
