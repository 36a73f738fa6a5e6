/**
 * Practice calls on a real PostgreSQL (docs/decisions/030): whole runs of an impostor and of a
 * genuine caller through the server functions, with every kind of move (a pass issued, a
 * re-enrolment requested), leave every real table exactly as it was; concurrent moves on one run
 * are serialised; a stranger's move and a move on a finished run are refused and audited; the
 * SIEM never receives a practice row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSiemSinks } from "@/lib/domain/siem-sinks";
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { scenarioHash } from "@/lib/domain/practice/scenario";
import { practicePasskeyId, type PracticeMove } from "@/lib/domain/practice/simulate";
import { isDomainError } from "@/lib/domain/errors";
import {
  finishPracticeRun,
  getPracticeRun,
  makePracticeMove,
  startPracticeRun,
} from "@/lib/server/practice/runs";
import { deliverSiem } from "@/lib/server/siem/deliver";
import { closeSyslogConnections } from "@/lib/server/siem/syslog";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, redeemedPassSession, verifiedHighRiskCase } from "@/tests/recovery";
import { GENUINE_PRIVILEGED, GENUINE_STANDARD } from "@/tests/practice-scenarios";
import { startHttpReceiver } from "@/tests/siem-receivers";

const REAL_TABLES = [
  "RecoveryCase",
  "TemporaryAccessPass",
  "EnrolmentLink",
  "StepLink",
  "Approval",
  "Passkey",
  "Revocation",
  "WorkforceSession",
  "OutboxMessage",
  "RepudiationLink",
  "WorkforceUser",
  "WorkforceEmail",
  "RedFlag",
] as const;

/** Every row of every real table, as text, in a stable order. */
async function snapshot(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of REAL_TABLES) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(
      `SELECT row_to_json(t)::text AS row FROM "${table}" t ORDER BY row_to_json(t)::text`,
    );
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, message: error.userMessage };
    throw error;
  }
  throw new Error("expected a refusal");
}

const urgent = BUILT_IN_SCENARIOS.find((s) => s.key === "urgent-admin-new-number")!;

beforeAll(async () => {
  // Real data of every kind: a case that issued a pass, redeemed into a session (mail in the
  // outbox); a high-risk case; and a real person with the scenario's very name and address.
  await redeemedPassSession();
  await verifiedHighRiskCase();
  await createWorkforceUser(db, {
    name: urgent.person.name,
    email: urgent.person.emails[0]!.address,
    riskTier: "PRIVILEGED",
    passkeys: 2,
  });
});

describe("a practice call touches nothing real", () => {
  it("an impostor run and a genuine run, every kind of move, leave every real table identical", async () => {
    const before = await snapshot();
    expect(before.RecoveryCase!.length).toBeGreaterThan(0);
    expect(before.OutboxMessage!.length).toBeGreaterThan(0);
    const agent = await actor("AGENT");

    // The impostor, fallen for: steps recorded as passed, a link sent (the manager denies).
    const impostor = await startPracticeRun({ actor: agent, scenarioKey: urgent.key });
    const fallFor: PracticeMove[] = [
      { type: "ask", step: "CALLBACK" },
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "Called back." },
      { type: "ask", step: "ID_DOCUMENT" },
      { type: "record", step: "ID_DOCUMENT", outcome: "PASSED", note: "" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "send_link", step: "MANAGER_CONFIRMATION" },
      { type: "issue_pass", lifetimeMinutes: 30, multiUse: false },
      { type: "raise_flag", flag: "PRESSURE", note: "Late." },
      { type: "close", reason: "Done." },
    ];
    const results = [];
    for (const move of fallFor)
      results.push(await makePracticeMove({ actor: agent, runId: impostor.runId, move }));
    expect(results.map((r) => r.seq)).toEqual(fallFor.map((_, i) => i + 1));
    expect(results[5]!.result).toMatchObject({ ok: true });
    expect(results[6]!.result).toMatchObject({ ok: false, code: "STOPPED" });
    const impostorDebrief = await finishPracticeRun({ actor: agent, runId: impostor.runId });
    expect(impostorDebrief).toMatchObject({ impostor: true, safe: false, passed: false });

    // Genuine callers, played from stored versions written for this test (as an author adds
    // them in the console): a pass issued (standard tier) ...
    for (const scenario of [GENUINE_STANDARD, GENUINE_PRIVILEGED])
      await db.practiceScenarioVersion.create({
        data: {
          key: scenario.key,
          version: 1,
          body: scenario,
          bodyHash: scenarioHash(scenario),
          note: "For the practice test.",
          authorId: agent.id,
        },
      });
    const standard = await startPracticeRun({ actor: agent, scenarioKey: GENUINE_STANDARD.key });
    const standardMoves: PracticeMove[] = [
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      { type: "send_link", step: "MANAGER_CONFIRMATION" },
      { type: "send_link", step: "PASSKEY_PROOF" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "issue_pass", lifetimeMinutes: 60, multiUse: false },
    ];
    for (const move of standardMoves) {
      const { result } = await makePracticeMove({ actor: agent, runId: standard.runId, move });
      expect(result, move.type).toMatchObject({ ok: true });
    }
    expect(await finishPracticeRun({ actor: agent, runId: standard.runId })).toMatchObject({
      safe: true,
      passed: true,
      score: 100,
    });

    // ... and a re-enrolment requested, replacing a passkey (privileged: a supervisor decides).
    const privileged = await startPracticeRun({
      actor: agent,
      scenarioKey: GENUINE_PRIVILEGED.key,
    });
    const privilegedMoves: PracticeMove[] = [
      { type: "raise_flag", flag: "PRESSURE", note: "On call." },
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      { type: "send_link", step: "MANAGER_CONFIRMATION" },
      { type: "record", step: "ID_DOCUMENT", outcome: "PASSED", note: "" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "request_reenrolment", revokePasskeyIds: [practicePasskeyId(0)] },
    ];
    for (const move of privilegedMoves) {
      const { result } = await makePracticeMove({ actor: agent, runId: privileged.runId, move });
      expect(result, move.type).toMatchObject({ ok: true });
    }
    const view = await getPracticeRun({ viewer: agent, runId: privileged.runId });
    expect(view!.state.status).toBe("PENDING_APPROVAL");
    await finishPracticeRun({ actor: agent, runId: privileged.runId });

    expect(await snapshot()).toEqual(before);
  });

  it("writes the debrief's columns once, and audits start and finish with the results", async () => {
    const agent = await actor("AGENT");
    const { runId } = await startPracticeRun({ actor: agent, scenarioKey: urgent.key });
    await makePracticeMove({
      actor: agent,
      runId,
      move: { type: "raise_flag", flag: "NEW_CONTACT_REQUEST", note: "" },
    });
    const result = await finishPracticeRun({ actor: agent, runId });
    const run = await db.practiceRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({
      staffId: agent.id,
      team: agent.team,
      impostor: true,
      scenarioKey: urgent.key,
      scenarioVersion: 1,
      policyVersion: 3,
      moveCount: 1,
      score: result.score,
      safe: true,
      caughtFlags: ["NEW_CONTACT_REQUEST"],
      missedFlags: ["PRESSURE", "REFUSED_CALLBACK"],
    });
    expect(run.finishedAt).not.toBeNull();
    const events = await db.auditEvent.findMany({
      where: { targetId: runId },
      orderBy: { position: "asc" },
    });
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["practice.started", "ALLOWED"],
      ["practice.finished", "ALLOWED"],
    ]);
    expect(events[1]!.data).toMatchObject({
      scenario: `${urgent.key}@1`,
      score: result.score,
      safe: true,
      passed: result.passed,
    });
  });
});

describe("who may act on a practice run", () => {
  it("a stranger's move and a move on a finished run are refused and audited", async () => {
    const player = await actor("AGENT");
    const stranger = await actor("SUPERVISOR");
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    const move: PracticeMove = { type: "ask", step: "CALLBACK" };

    expect(await refusal(makePracticeMove({ actor: stranger, runId, move }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/someone else's/),
    });
    expect(await refusal(finishPracticeRun({ actor: stranger, runId }))).toMatchObject({
      code: "FORBIDDEN",
    });
    // The stranger cannot read it either while it is played.
    expect(await getPracticeRun({ viewer: stranger, runId })).toBeNull();

    await finishPracticeRun({ actor: player, runId });
    expect(await refusal(makePracticeMove({ actor: player, runId, move }))).toMatchObject({
      code: "SEQUENCE",
      message: expect.stringMatching(/finished/),
    });
    expect(await refusal(finishPracticeRun({ actor: player, runId }))).toMatchObject({
      code: "SEQUENCE",
    });
    const run = await db.practiceRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.moveCount).toBe(0);
    expect(await db.practiceMove.count({ where: { runId } })).toBe(0);

    const refusals = await db.auditEvent.findMany({
      where: { targetId: runId, action: "practice.refused" },
      orderBy: { position: "asc" },
    });
    expect(refusals.map((e) => [e.actorId, e.outcome, e.reason])).toEqual([
      [stranger.id, "REFUSED", "FORBIDDEN"],
      [stranger.id, "REFUSED", "FORBIDDEN"],
      [stranger.id, "REFUSED", "FORBIDDEN"],
      [player.id, "REFUSED", "SEQUENCE"],
      [player.id, "REFUSED", "SEQUENCE"],
    ]);
  });

  it("a finished run's debrief is read by the team's supervisors and security, not by others", async () => {
    const player = await actor("AGENT");
    const { runId } = await startPracticeRun({ actor: player, scenarioKey: urgent.key });
    await finishPracticeRun({ actor: player, runId });
    const teamSupervisor = await actor("SUPERVISOR");
    const otherTeam = { ...(await actor("SUPERVISOR")), team: "Another Desk" };
    const reviewer = await actor("SECURITY");
    const colleague = await actor("AGENT");
    expect((await getPracticeRun({ viewer: player, runId }))?.mine).toBe(true);
    expect((await getPracticeRun({ viewer: teamSupervisor, runId }))?.debrief).toMatchObject({
      impostor: true,
    });
    expect((await getPracticeRun({ viewer: reviewer, runId }))?.debrief).not.toBeNull();
    expect(await getPracticeRun({ viewer: otherTeam, runId })).toBeNull();
    expect(await getPracticeRun({ viewer: colleague, runId })).toBeNull();
  });

  it("an unknown scenario is refused, audited, and starts nothing", async () => {
    const agent = await actor("AGENT");
    expect(
      await refusal(startPracticeRun({ actor: agent, scenarioKey: "no-such-scenario" })),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(await db.practiceRun.count({ where: { staffId: agent.id } })).toBe(0);
    expect(
      await db.auditEvent.count({ where: { actorId: agent.id, action: "practice.refused" } }),
    ).toBe(1);
  });
});

describe("concurrent moves on one run", () => {
  it("get distinct sequence numbers and fold to a consistent state", async () => {
    const agent = await actor("AGENT");
    const { runId } = await startPracticeRun({ actor: agent, scenarioKey: urgent.key });
    // Each recording races the others: exactly one of the two CALLBACK records can succeed.
    const moves: PracticeMove[] = [
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "a" },
      { type: "record", step: "CALLBACK", outcome: "FAILED", note: "b" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "raise_flag", flag: "PRESSURE", note: "" },
      { type: "ask", step: "ID_DOCUMENT" },
      { type: "ask", step: "CALLBACK" },
    ];
    const results = await Promise.all(
      moves.map((move) => makePracticeMove({ actor: agent, runId, move })),
    );
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const stored = await db.practiceMove.findMany({ where: { runId }, orderBy: { seq: "asc" } });
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const callbackRecords = results.filter(
      (r, i) => moves[i]!.type === "record" && (moves[i] as { step: string }).step === "CALLBACK",
    );
    expect(callbackRecords.filter((r) => r.result.ok)).toHaveLength(1);
    expect((await db.practiceRun.findUniqueOrThrow({ where: { id: runId } })).moveCount).toBe(6);
    const view = await getPracticeRun({ viewer: agent, runId });
    expect(view!.state.steps.filter((s) => s.kind === "CALLBACK")).toHaveLength(1);
    expect(view!.state.redFlags).toHaveLength(1);
  });
});

describe("the SIEM never receives practice rows", () => {
  let http: Awaited<ReturnType<typeof startHttpReceiver>>;
  beforeAll(async () => {
    http = await startHttpReceiver();
  });
  afterAll(async () => {
    closeSyslogConnections();
    await http.stop();
  });

  it("skips practice rows and moves its cursor past them", async () => {
    const agent = await actor("AGENT");
    const stranger = await actor("AGENT");
    const { runId } = await startPracticeRun({ actor: agent, scenarioKey: urgent.key });
    await refusal(
      makePracticeMove({ actor: stranger, runId, move: { type: "ask", step: "CALLBACK" } }),
    );
    await finishPracticeRun({ actor: agent, runId });
    const practiceRows = await db.auditEvent.count({
      where: { action: { startsWith: "practice." } },
    });
    expect(practiceRows).toBeGreaterThanOrEqual(3);

    const sink = parseSiemSinks(
      JSON.stringify([
        { name: "practice-test", type: "webhook", url: http.url, secretEnv: "K", batchSize: 50 },
      ]),
      { K: "practice-test-hmac-key-".padEnd(48, "x") },
    )[0]!;
    for (let i = 0; i < 50; i++) {
      const [pass] = await deliverSiem(db, [sink], { batches: 5 });
      if (pass!.status === "idle") break;
    }
    const lines = http.requests
      .filter((r) => r.status === 200)
      .flatMap((r) => r.body.trimEnd().split("\n"))
      .map((line) => JSON.parse(line) as { action: string; position: number });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.action.startsWith("practice."))).toEqual([]);
    const last = await db.auditEvent.findFirstOrThrow({
      where: { formatVersion: 2 },
      orderBy: { position: "desc" },
    });
    expect(last.action.startsWith("practice.")).toBe(true);
    const cursor = await db.siemCursor.findUniqueOrThrow({ where: { sink: "practice-test" } });
    expect(cursor.position).toBe(last.position);
  });
});
