/**
 * Issue 13 review (an attacker's pass over practice calls, certification, scenario authoring and
 * fraud signals), on a real PostgreSQL through the server functions. Each test names an attack
 * and asserts the console holds. Two failed on the code they were written against, and are fixed:
 * taking a case with one's own id in capitals skipped the certification gate (case-desk.ts now
 * compares ids as stored and checks whoever gets the case), and raising every red flag blind passed
 * every impostor scenario (the debrief now penalises flags the call did not show, for impostors
 * too). The review also led to counting only a scenario version's first attempt (decision 032).
 */
import { describe, expect, it } from "vitest";
import { RED_FLAG_KINDS } from "@/lib/domain/case-vocabulary";
import { isDomainError } from "@/lib/domain/errors";
import { normaliseContact } from "@/lib/domain/fraud-signals";
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { PracticeMoveSchema, type PracticeMove } from "@/lib/domain/practice/simulate";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import type { StaffRole } from "@/lib/domain/roles";
import { AssignCaseSchema } from "@/app/(console)/cases/[caseId]/schema";
import { assignCase } from "@/lib/server/cases/case-desk";
import { loadCase } from "@/lib/server/cases/unit-of-work";
import type { Tx } from "@/lib/server/audit";
import { issueTap } from "@/lib/server/issue-tap";
import { openCase } from "@/lib/server/open-case";
import { certificationRefusal } from "@/lib/server/practice/certification";
import {
  finishPracticeRun,
  getPracticeRun,
  makePracticeMove,
  startPracticeRun,
} from "@/lib/server/practice/runs";
import { saveScenario } from "@/lib/server/practice/scenario-authoring";
import { recordStep } from "@/lib/server/record-step";
import { redeemTap } from "@/lib/server/redeem-tap";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { reviewSignal } from "@/lib/server/signals/review-signal";
import { db } from "@/tests/db";
import { certifyStaff, createStaff, createWorkforceUser } from "@/tests/factories";
import { perfectPlay } from "@/tests/practice-play";
import { actor, passIn, userWithManager, verifiedStandardCase } from "@/tests/recovery";

const DAY = 24 * 60 * 60 * 1000;

const text = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, message: error.userMessage };
    throw error;
  }
  throw new Error("expected a refusal");
}

async function staff(
  role: StaffRole = "AGENT",
  options: { certified?: boolean; team?: string } = {},
): Promise<CurrentStaff> {
  const row = await createStaff(db, {
    role,
    certified: options.certified ?? role !== "SECURITY",
    team: role === "SECURITY" ? null : (options.team ?? "Service Desk North"),
  });
  return { ...row, role, sessionExpires: new Date(Date.now() + 60_000) };
}

const impostors = BUILT_IN_SCENARIOS.filter((s) => s.truth.caller === "impostor");
const urgent = BUILT_IN_SCENARIOS.find((s) => s.key === "urgent-admin-new-number")!;

/** 12:00 in London today (or yesterday): inside the desk's hours, so no unusual-hour signal. */
function middayLondon(): Date {
  const at = new Date();
  at.setUTCHours(12, 0, 0, 0);
  if (at > new Date()) at.setUTCDate(at.getUTCDate() - 1);
  return at;
}

async function realRows() {
  const [cases, passes, links, outbox, passkeys, sessions] = await Promise.all([
    db.recoveryCase.count(),
    db.temporaryAccessPass.count(),
    db.enrolmentLink.count(),
    db.outboxMessage.count(),
    db.passkey.count(),
    db.workforceSession.count(),
  ]);
  return { cases, passes, links, outbox, passkeys, sessions };
}

describe("practice runs: other people's ids, finished runs, forged fields, races", () => {
  it("a practice move or finish naming a real case id, a malformed id or another player's run is refused, audited, and writes nothing real", async () => {
    const { caseId } = await verifiedStandardCase();
    const player = await staff();
    const stranger = await staff();
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    const before = await realRows();

    expect(
      await refusal(
        makePracticeMove({ actor: player, runId: caseId, move: { type: "ask", step: "CALLBACK" } }),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(finishPracticeRun({ actor: player, runId: caseId }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(
      await refusal(
        makePracticeMove({ actor: stranger, runId, move: { type: "ask", step: "CALLBACK" } }),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await refusal(finishPracticeRun({ actor: stranger, runId }))).toMatchObject({
      code: "FORBIDDEN",
    });
    // A stranger reading an unfinished run gets nothing (as for a run that does not exist).
    expect(await getPracticeRun({ viewer: stranger, runId })).toBeNull();
    expect(await realRows()).toEqual(before);
    const refusals = await db.auditEvent.count({
      where: { action: "practice.refused", actorId: { in: [player.id, stranger.id] } },
    });
    expect(refusals).toBeGreaterThanOrEqual(5);
  });

  it("a malformed run id never reaches the database as a 500: the server function refuses it cleanly", async () => {
    const player = await staff();
    // The practice pages check the id is a UUID first; a direct call must not crash with a raw
    // PostgreSQL cast error either.
    const outcome = await makePracticeMove({
      actor: player,
      runId: "not-a-uuid'); --",
      move: { type: "ask", step: "CALLBACK" },
    }).catch((error: unknown) => error);
    // Either a DomainError or a thrown error: never a row written.
    expect(outcome).toBeInstanceOf(Error);
    expect(await db.practiceMove.count({ where: { run: { staffId: player.id } } })).toBe(0);
  });

  it("forged move fields (a real passkey id, control characters, huge notes, arrays) are refused by the schema or touch nothing real", async () => {
    const { user } = await userWithManager({ riskTier: "PRIVILEGED", passkeys: 2 });
    const realPasskeyIds = (await db.passkey.findMany({ where: { userId: user.id } })).map(
      (p) => p.id,
    );
    expect(realPasskeyIds).toHaveLength(2);
    const player = await staff();
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    const before = await realRows();

    // Oversized and array-shaped fields do not parse.
    expect(
      PracticeMoveSchema.safeParse({
        type: "record",
        step: "CALLBACK",
        outcome: "PASSED",
        note: "x".repeat(100_000),
      }).success,
    ).toBe(false);
    expect(
      PracticeMoveSchema.safeParse({
        type: "record",
        step: ["CALLBACK"],
        outcome: "PASSED",
        note: "",
      }).success,
    ).toBe(false);
    expect(
      PracticeMoveSchema.safeParse({
        type: "request_reenrolment",
        revokePasskeyIds: Array.from({ length: 500 }, (_, i) => `p${i}`),
      }).success,
    ).toBe(false);

    // A real passkey's id in a practice re-enrolment: the real passkey is untouched whatever the result.
    await makePracticeMove({
      actor: player,
      runId,
      move: { type: "request_reenrolment", revokePasskeyIds: realPasskeyIds },
    });
    await makePracticeMove({
      actor: player,
      runId,
      move: {
        type: "raise_flag",
        flag: "PRESSURE",
        note: "bell\u0007 and\u0000 nul",
      } as PracticeMove,
    }).catch(() => undefined);
    expect(await realRows()).toEqual(before);
    const passkeys = await db.passkey.findMany({ where: { userId: user.id } });
    expect(passkeys.every((p) => p.revokedAt === null)).toBe(true);
  });

  it("a real case action given a practice run's id is refused as not found", async () => {
    const player = await staff();
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    expect(
      await refusal(
        recordStep({ actor: player, caseId: runId, kind: "CALLBACK", outcome: "PASSED", note: "" }),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await refusal(
        issueTap({ actor: player, caseId: runId, lifetimeMinutes: 30, multiUse: false }),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
  });

  it("two finishes of one run at once: one debrief, one practice.finished, the other refused", async () => {
    const player = await staff();
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    for (const move of perfectPlay(urgent, ACTIVE_POLICY))
      await makePracticeMove({ actor: player, runId, move });
    const results = await Promise.allSettled([
      finishPracticeRun({ actor: player, runId }),
      finishPracticeRun({ actor: player, runId }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(isDomainError(rejected.reason) && rejected.reason.code).toBe("SEQUENCE");
    expect(
      await db.auditEvent.count({ where: { action: "practice.finished", targetId: runId } }),
    ).toBe(1);
    // A move on the finished run is refused, and moves racing each other get distinct sequence numbers.
    expect(
      await refusal(
        makePracticeMove({ actor: player, runId, move: { type: "ask", step: "CALLBACK" } }),
      ),
    ).toMatchObject({ code: "SEQUENCE" });
    const other = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    const raced = await Promise.all(
      Array.from({ length: 6 }, () =>
        makePracticeMove({
          actor: player,
          runId: other.runId,
          move: { type: "ask", step: "CALLBACK" },
        }),
      ),
    );
    expect(new Set(raced.map((r) => r.seq)).size).toBe(6);
  });

  it("reading runs: an unfinished run is the player's alone; a finished one is read by their team's supervisor and security, not another team's", async () => {
    const player = await staff("AGENT", { team: "Service Desk North" });
    const ownSupervisor = await staff("SUPERVISOR", { team: "Service Desk North" });
    const otherSupervisor = await staff("SUPERVISOR", { team: "Service Desk South" });
    const security = await staff("SECURITY");
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    // Before the run ends nobody else reads it (the truth would be on the page).
    expect(await getPracticeRun({ viewer: ownSupervisor, runId })).toBeNull();
    expect(await getPracticeRun({ viewer: security, runId })).toBeNull();
    const mine = await getPracticeRun({ viewer: player, runId });
    expect(mine?.debrief).toBeNull();
    await finishPracticeRun({ actor: player, runId });
    expect(await getPracticeRun({ viewer: ownSupervisor, runId })).not.toBeNull();
    expect(await getPracticeRun({ viewer: security, runId })).not.toBeNull();
    expect(await getPracticeRun({ viewer: otherSupervisor, runId })).toBeNull();
    expect(
      await db.auditEvent.count({
        where: { action: "practice.refused", actorId: otherSupervisor.id, targetId: runId },
      }),
    ).toBe(1);
  });

  it("the answer to a move never carries the truth of the call (who the caller is, the safe outcome)", async () => {
    const player = await staff();
    for (const scenario of impostors) {
      const { runId } = await startPracticeRun({ actor: player, scenarioKey: scenario.key });
      for (const move of perfectPlay(scenario, ACTIVE_POLICY)) {
        const { result } = await makePracticeMove({ actor: player, runId, move });
        const text = JSON.stringify(result);
        expect(text).not.toContain(scenario.truth.explanation);
        expect(text).not.toContain(scenario.safe.explanation);
      }
    }
  });
});

describe("certification: the gate on every path, and earning it cheaply", () => {
  it("an uncertified agent cannot 'assign to me' a privileged case by writing their own id in capitals", async () => {
    const { user } = await userWithManager({ riskTier: "PRIVILEGED", passkeys: 2 });
    const opener = await actor("AGENT");
    const { caseId } = await openCase({
      actor: opener,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "VIDEO",
      callerClaim: "Lost my phone",
    });
    const uncertified = await staff("AGENT", { certified: false });
    // The honest "assign to me" is gated...
    expect(
      await refusal(assignCase({ actor: uncertified, caseId, to: uncertified.id })),
    ).toMatchObject({
      code: "NOT_CERTIFIED",
    });
    // ...and the form's schema accepts the same id in capitals (a UUID is case-insensitive).
    const shouting = uncertified.id.toUpperCase();
    expect(AssignCaseSchema.safeParse({ caseId, to: shouting }).success).toBe(true);
    const outcome = await assignCase({ actor: uncertified, caseId, to: shouting }).then(
      () => "taken",
      (error: unknown) => (isDomainError(error) ? error.code : "error"),
    );
    expect(outcome).toBe("NOT_CERTIFIED");
    const kase = await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } });
    expect(kase.ownerId).not.toBe(uncertified.id);
  });

  it("the certification ends exactly at its expiry; a colleague's certification does not count for you", async () => {
    const agent = await staff("AGENT", { certified: false });
    const colleague = await staff("AGENT", { certified: false });
    const certifiedAt = new Date(Date.now() - 300 * DAY);
    const expiresAt = new Date(Date.now() + 10 * DAY);
    await certifyStaff(db, agent.id, { certifiedAt, expiresAt });
    const gate = (staffId: string, now: Date) =>
      certificationRefusal(db, { staffId, tier: "PRIVILEGED", now });
    expect(await gate(agent.id, new Date(expiresAt.getTime() - 1))).toBeNull();
    expect(await gate(agent.id, expiresAt)).toMatchObject({ code: "NOT_CERTIFIED" });
    expect(await gate(colleague.id, new Date())).toMatchObject({ code: "NOT_CERTIFIED" });
    // A certification granted in the future does not count yet.
    await certifyStaff(db, colleague.id, { certifiedAt: new Date(Date.now() + DAY) });
    expect(await gate(colleague.id, new Date())).toMatchObject({ code: "NOT_CERTIFIED" });
  });

  it("replaying one scenario many times, or finishing runs without acting, earns nothing", async () => {
    const player = await staff("AGENT", { certified: false });
    for (let i = 0; i < ACTIVE_POLICY.desk!.certification.scenariosToPass; i++) {
      const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
      for (const move of perfectPlay(urgent, ACTIVE_POLICY))
        await makePracticeMove({ actor: player, runId, move });
      expect(await finishPracticeRun({ actor: player, runId })).toMatchObject({ passed: true });
    }
    expect(await db.staffCertification.count({ where: { staffId: player.id } })).toBe(0);

    const idle = await staff("AGENT", { certified: false });
    for (const scenario of BUILT_IN_SCENARIOS) {
      const { runId } = await startPracticeRun({ actor: idle, scenarioKey: scenario.key });
      await finishPracticeRun({ actor: idle, runId });
    }
    expect(await db.staffCertification.count({ where: { staffId: idle.id } })).toBe(0);
  });

  it("raising every red flag kind without asking the caller anything does not pass an impostor scenario", async () => {
    // The debrief never penalises needless flags on an impostor, so an agent who raises all of
    // them blind gets the outcome (40), the steps (30: none recorded) and the flags (30).
    const player = await staff("AGENT", { certified: false });
    const results = [];
    for (const scenario of impostors) {
      const { runId } = await startPracticeRun({ actor: player, scenarioKey: scenario.key });
      for (const flag of RED_FLAG_KINDS)
        await makePracticeMove({
          actor: player,
          runId,
          move: { type: "raise_flag", flag, note: "blind" },
        });
      results.push({ key: scenario.key, ...(await finishPracticeRun({ actor: player, runId })) });
    }
    expect(results.filter((r) => r.passed).map((r) => r.key)).toEqual([]);
  });
});

describe("scenario authoring", () => {
  const base = BUILT_IN_SCENARIOS.find((s) => s.truth.caller === "impostor")!;
  const withAddress = (key: string, address: string) =>
    JSON.stringify({
      ...base,
      key,
      person: {
        ...base.person,
        emails: base.person.emails.map((e, i) => (i === 0 ? { ...e, address } : e)),
      },
    });

  it("agents and supervisors cannot save; addresses that only look reserved are refused; a built-in key clashes", async () => {
    for (const role of ["AGENT", "SUPERVISOR"] as const) {
      const who = await staff(role);
      expect(
        await refusal(
          saveScenario({
            actor: who,
            key: null,
            baseVersion: 0,
            text: withAddress("x-new", "a@mail.example"),
            note: "new one",
          }),
        ),
      ).toMatchObject({ code: "FORBIDDEN" });
    }
    const security = await staff("SECURITY");
    for (const address of [
      "foo@notexample.com",
      "foo@example.com.evil.org",
      "foo@evilexample",
      "foo@example.co",
      "foo@mail.example.attacker.net",
    ]) {
      const result = await saveScenario({
        actor: security,
        key: null,
        baseVersion: 0,
        text: withAddress("review-address", address),
        note: "trying an address",
      });
      expect(result, address).toMatchObject({ ok: false });
    }
    const clash = await saveScenario({
      actor: security,
      key: null,
      baseVersion: 0,
      text: withAddress(base.key, "a@mail.example"),
      note: "a clash",
    });
    expect(clash).toMatchObject({ ok: false });
    const huge = await saveScenario({
      actor: security,
      key: null,
      baseVersion: 0,
      text: JSON.stringify({
        ...JSON.parse(withAddress("review-huge", "a@mail.example")),
        padding: "x".repeat(2_000_000),
      }),
      note: "huge",
    });
    expect(huge).toMatchObject({ ok: false });
    expect(
      await db.practiceScenarioVersion.count({ where: { key: { startsWith: "review-" } } }),
    ).toBe(0);
  });

  it("two saves from one base version at once: one version written, the other refused; the app role cannot rewrite a version", async () => {
    const security = await staff("SECURITY");
    const created = await saveScenario({
      actor: security,
      key: null,
      baseVersion: 0,
      text: withAddress("review-race", "a@mail.example"),
      note: "first",
    });
    expect(created).toMatchObject({ ok: true });
    const results = await Promise.all(
      [1, 2].map((n) =>
        saveScenario({
          actor: security,
          key: "review-race",
          baseVersion: 1,
          text: withAddress("review-race", `edit${n}@mail.example`),
          note: `edit ${n}`,
        }).catch((error: unknown) => ({ ok: false, error })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.practiceScenarioVersion.count({ where: { key: "review-race" } })).toBe(2);
    await expect(
      db.$executeRawUnsafe(
        `UPDATE "PracticeScenarioVersion" SET note = 'rewritten' WHERE key = 'review-race'`,
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      db.$executeRawUnsafe(`DELETE FROM "PracticeScenarioVersion" WHERE key = 'review-race'`),
    ).rejects.toThrow(/permission denied/);
  });
});

describe("fraud signals", () => {
  it("+44, 0044 and spaced forms of one number, and an address in capitals or with +tag, normalise to one key", () => {
    const phones = [
      "+44 20 7946 0123",
      "0044 20 7946 0123",
      "020 7946 0123",
      "+442079460123",
      " +44 (0)20 7946 0123 ",
    ];
    const keys = new Set(phones.map((p) => normaliseContact(p, ["GB"])?.normalized));
    expect([...keys]).toHaveLength(1);
    const emails = ["Help.Desk@Mail.Example", "help.desk+x@mail.example", "help.desk@mail.example"];
    expect(new Set(emails.map((e) => normaliseContact(e, ["GB"])?.normalized)).size).toBe(1);
  });

  it("a pass issued before a shared-contact signal cannot be redeemed after it (the escalation reaches the earlier case)", async () => {
    const at = middayLondon();
    const first = await verifiedStandardCase();
    // The first call's caller ID, recorded when it was opened.
    await db.recoveryCase.update({ where: { id: first.caseId }, data: { createdAt: at } });
    const other = await createWorkforceUser(db, {});
    const callerId = "+44 20 7946 0999";
    // Record the number on the first case, issue its pass, then the same number calls for someone else.
    const { recordContact } = await import("@/lib/server/record-contact");
    await recordContact({ actor: first.agent, caseId: first.caseId, value: callerId });
    await issueTap({
      actor: first.agent,
      caseId: first.caseId,
      lifetimeMinutes: 30,
      multiUse: false,
    });
    const code = await passIn(first.user.emails[0]!.address);
    await openCase({
      actor: await actor(),
      userId: other.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
      callerId: "0044 20 7946 0999",
    });
    const signals = await db.fraudSignal.findMany({
      where: { cases: { some: { caseId: first.caseId } } },
    });
    expect(signals.length).toBeGreaterThan(0);
    const outcome = await redeemTap({ email: first.user.emails[0]!.address, code }).then(
      () => "redeemed",
      (error: unknown) => (isDomainError(error) ? error.code : String(error)),
    );
    expect(outcome).not.toBe("redeemed");
    // The evidence and the trail keep the number masked.
    const trail = await db.auditEvent.findMany({});
    expect(text(trail)).not.toContain("7946 0999");
    expect(text(trail)).not.toContain("2079460999");
    // The signal's evidence and summary are masked (its merge key keeps the number: see the report).
    expect(
      text(
        signals.map((s) => [
          s.summary,
          (s.evidence as { facts: unknown; summary: string }[]).map((e) => [e.facts, e.summary]),
        ]),
      ),
    ).not.toContain("2079460999");
  });

  it("only a security reviewer dismisses a signal, and two reviews at once record one decision", async () => {
    const a = await createWorkforceUser(db, {});
    const b = await createWorkforceUser(db, {});
    const opened = [];
    for (const user of [a, b])
      opened.push(
        await openCase({
          actor: await actor(),
          userId: user.id,
          reason: "LOST_DEVICE",
          channel: "PHONE",
          callerClaim: "Lost my phone",
          callerId: "+44 20 7946 0555",
        }),
      );
    const signal = await db.fraudSignal.findFirstOrThrow({
      where: { cases: { some: { caseId: opened[1]!.caseId } } },
    });
    for (const role of ["AGENT", "SUPERVISOR"] as const) {
      const who = await staff(role);
      expect(
        await refusal(
          reviewSignal({ actor: who, signalId: signal.id, decision: "dismissed", note: "not me" }),
        ),
      ).toMatchObject({ code: "FORBIDDEN" });
    }
    const [r1, r2] = [await staff("SECURITY"), await staff("SECURITY")];
    const results = await Promise.allSettled([
      reviewSignal({
        actor: r1,
        signalId: signal.id,
        decision: "dismissed",
        note: "a shared desk phone",
      }),
      reviewSignal({ actor: r2, signalId: signal.id, decision: "confirmed", note: "a campaign" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(
      await db.auditEvent.count({
        where: { action: "signal.reviewed", targetId: signal.id },
      }),
    ).toBe(1);
    // A malformed signal id is refused, not a crash.
    expect(
      await reviewSignal({ actor: r1, signalId: "nope", decision: "dismissed", note: "x" }).then(
        () => "ok",
        (error: unknown) => (isDomainError(error) ? "refused" : "crash"),
      ),
    ).not.toBe("ok");
  });

  it("the case facts of a person's older open case see a signal raised on a newer call for them", async () => {
    const { user } = await userWithManager({});
    const older = await openCase({
      actor: await actor(),
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    const other = await createWorkforceUser(db, {});
    await openCase({
      actor: await actor(),
      userId: other.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
      callerId: "+44 20 7946 0777",
    });
    // A second call for the same person, from the number used for someone else.
    await openCase({
      actor: await actor(),
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone again",
      callerId: "020 7946 0777",
    }).catch(() => undefined);
    const loaded = await loadCase(db as unknown as Tx, older.caseId, new Date());
    expect(loaded!.facts.signals?.length ?? 0).toBeGreaterThan(0);
  });
});
