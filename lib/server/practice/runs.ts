import "server-only";
/**
 * Practice runs (docs/decisions/030): start one, make a move, finish it, read it. A practice run
 * is not a recovery case and touches nothing real: this module writes only PracticeRun,
 * PracticeMove and the audit trail (through auditedTransaction), and never sends mail. Every
 * move is judged by lib/domain/practice/simulate.ts, which asks the very decisions a real case
 * asks.
 *
 * Concurrent moves on one run are serialised by the UPDATE that bumps the run's move count (it
 * takes the run's row lock until the transaction ends), so each move folds the moves before it
 * and gets the next sequence number. The same UPDATE is the access check: it matches only the
 * player's own unfinished run; anything else is refused, the refusal audited.
 */
import { db } from "@/lib/db";
import { DomainError } from "@/lib/domain/errors";
import { debrief as judge, type Debrief } from "@/lib/domain/practice/debrief";
import { ScenarioSchema, type Scenario } from "@/lib/domain/practice/scenario";
import {
  applyMove,
  initialState,
  PracticeMoveSchema,
  type MoveResult,
  type PracticeMove,
  type PracticeState,
} from "@/lib/domain/practice/simulate";
import { ACTIVE_POLICY, deskRules, policyFor } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { auditedTransaction, recordAudit, staffActor, type Tx } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { awardCertificationIfEarned } from "./certification";
import { findScenario } from "./scenarios";

type Actor = Pick<CurrentStaff, "id" | "name" | "role" | "team">;
type Refused = { refused: { code: DomainError["code"]; message: string } };

/** Commits the audited refusal, then throws it for the action to show. */
async function refuseAfterCommit<T>(work: (tx: Tx) => Promise<T | Refused>): Promise<T> {
  const result = await auditedTransaction(db, work);
  if (result && typeof result === "object" && "refused" in result)
    throw new DomainError(result.refused.code, result.refused.message);
  return result as T;
}

async function recordRefusal(
  tx: Tx,
  input: {
    actor: Actor;
    runId?: string;
    attempted: string;
    code: DomainError["code"];
    message: string;
    request?: RequestContext;
  },
): Promise<Refused> {
  await recordAudit(tx, {
    action: "practice.refused",
    outcome: "REFUSED",
    reason: input.code,
    actor: staffActor(input.actor),
    target: input.runId ? { type: "practice_run", id: input.runId } : undefined,
    data: { attempted: input.attempted, detail: input.message },
    request: input.request,
  });
  return { refused: { code: input.code, message: input.message } };
}

function mayPlay(actor: Actor): boolean {
  return can(actor.role, "practice:play");
}

/** Starts a practice run of the newest version of a scenario, for the actor. */
export async function startPracticeRun(input: {
  actor: Actor;
  scenarioKey: string;
  request?: RequestContext;
}): Promise<{ runId: string }> {
  const { actor } = input;
  return refuseAfterCommit(async (tx) => {
    if (!mayPlay(actor))
      return recordRefusal(tx, {
        actor,
        attempted: "start practice",
        code: "FORBIDDEN",
        message: "Your role does not play practice calls.",
        request: input.request,
      });
    const entry = await findScenario(input.scenarioKey, tx);
    if (!entry)
      return recordRefusal(tx, {
        actor,
        attempted: "start practice",
        code: "NOT_FOUND",
        message: "There is no practice scenario by that name.",
        request: input.request,
      });
    const run = await tx.practiceRun.create({
      data: {
        staffId: actor.id,
        team: actor.team,
        scenarioKey: entry.scenario.key,
        scenarioVersion: entry.version,
        scenario: entry.scenario,
        scenarioHash: entry.hash,
        impostor: entry.scenario.truth.caller === "impostor",
        policyVersion: ACTIVE_POLICY.version,
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      action: "practice.started",
      outcome: "ALLOWED",
      actor: staffActor(actor),
      target: { type: "practice_run", id: run.id },
      data: {
        scenarioKey: entry.scenario.key,
        scenarioVersion: entry.version,
        scenarioHash: entry.hash,
        policyVersion: ACTIVE_POLICY.version,
      },
      request: input.request,
    });
    return { runId: run.id };
  });
}

/** Why the run could not be locked for this actor: absent, someone else's, or finished. */
async function whyNot(
  tx: Tx,
  runId: string,
  actor: Actor,
): Promise<{ code: DomainError["code"]; message: string }> {
  const run = await tx.practiceRun.findUnique({
    where: { id: runId },
    select: { staffId: true, finishedAt: true },
  });
  if (!run) return { code: "NOT_FOUND", message: "There is no such practice run." };
  if (run.staffId !== actor.id)
    return {
      code: "FORBIDDEN",
      message: "This practice run is someone else's: only the person playing it can act on it.",
    };
  return {
    code: "SEQUENCE",
    message: "This practice run is finished: nothing more can be done on it. Start a new one.",
  };
}

type LoadedRun = {
  id: string;
  scenario: Scenario;
  policyVersion: number;
  moves: { seq: number; move: PracticeMove; result: MoveResult; at: Date }[];
};

async function loadRun(tx: Tx | typeof db, runId: string) {
  const run = await tx.practiceRun.findUnique({
    where: { id: runId },
    include: { moves: { orderBy: { seq: "asc" } }, staff: { select: { name: true } } },
  });
  if (!run) return null;
  const loaded: LoadedRun = {
    id: run.id,
    // The snapshot was validated when the run started; parsed again so a changed row fails loudly.
    scenario: ScenarioSchema.parse(run.scenario),
    policyVersion: run.policyVersion,
    moves: run.moves.map((m) => ({
      seq: m.seq,
      move: PracticeMoveSchema.parse(m.move),
      result: m.result as MoveResult,
      at: m.at,
    })),
  };
  return { run, loaded };
}

function fold(loaded: LoadedRun): PracticeState {
  const policy = policyFor(loaded.policyVersion);
  return loaded.moves.reduce(
    (state, m) => applyMove({ scenario: loaded.scenario, policy, state, move: m.move }).state,
    initialState(loaded.scenario),
  );
}

/**
 * One move on the actor's own unfinished run. Returns what the simulated caller, manager or
 * system said, or the domain's refusal (kept as a move of the run, as the real screens would
 * show it). A stranger's move, or one on a finished run, throws a DomainError after its
 * refusal is audited.
 */
export async function makePracticeMove(input: {
  actor: Actor;
  runId: string;
  move: PracticeMove;
  request?: RequestContext;
}): Promise<{ seq: number; result: MoveResult }> {
  const { actor } = input;
  const move = PracticeMoveSchema.parse(input.move);
  return refuseAfterCommit(async (tx) => {
    const attempted = `practice ${move.type.replace(/_/g, " ")}`;
    if (!mayPlay(actor))
      return recordRefusal(tx, {
        actor,
        runId: input.runId,
        attempted,
        code: "FORBIDDEN",
        message: "Your role does not play practice calls.",
        request: input.request,
      });
    const bumped = await tx.$queryRaw<{ moveCount: number }[]>`
      UPDATE "PracticeRun" SET "moveCount" = "moveCount" + 1
      WHERE id = ${input.runId}::uuid AND "staffId" = ${actor.id}::uuid AND "finishedAt" IS NULL
      RETURNING "moveCount"`;
    const seq = bumped[0]?.moveCount;
    if (seq === undefined)
      return recordRefusal(tx, {
        actor,
        runId: input.runId,
        attempted,
        ...(await whyNot(tx, input.runId, actor)),
        request: input.request,
      });
    const found = await loadRun(tx, input.runId);
    if (!found) throw new Error("A practice run locked a moment ago has gone");
    const state = fold(found.loaded);
    const { result } = applyMove({
      scenario: found.loaded.scenario,
      policy: policyFor(found.loaded.policyVersion),
      state,
      move,
    });
    await tx.practiceMove.create({ data: { runId: input.runId, seq, move, result } });
    return { seq, result };
  });
}

/**
 * Finishes the actor's own run: the debrief is computed from its moves and written once, the
 * finish audited with its results, and certification awarded if the runs now earn it, all in
 * one transaction.
 */
export async function finishPracticeRun(input: {
  actor: Actor;
  runId: string;
  request?: RequestContext;
  now?: Date;
}): Promise<Debrief> {
  const { actor } = input;
  const now = input.now ?? new Date();
  return refuseAfterCommit(async (tx) => {
    if (!mayPlay(actor))
      return recordRefusal(tx, {
        actor,
        runId: input.runId,
        attempted: "finish practice",
        code: "FORBIDDEN",
        message: "Your role does not play practice calls.",
        request: input.request,
      });
    const locked = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "PracticeRun" SET "finishedAt" = ${now}
      WHERE id = ${input.runId}::uuid AND "staffId" = ${actor.id}::uuid AND "finishedAt" IS NULL
      RETURNING id`;
    if (locked.length === 0)
      return recordRefusal(tx, {
        actor,
        runId: input.runId,
        attempted: "finish practice",
        ...(await whyNot(tx, input.runId, actor)),
        request: input.request,
      });
    const found = await loadRun(tx, input.runId);
    if (!found) throw new Error("A practice run locked a moment ago has gone");
    const { loaded, run } = found;
    const result = judge({
      scenario: loaded.scenario,
      policy: policyFor(loaded.policyVersion),
      state: fold(loaded),
      passScore: deskRules().certification.passScore,
    });
    await tx.practiceRun.update({
      where: { id: run.id },
      data: {
        score: result.score,
        safe: result.safe,
        passed: result.passed,
        caughtFlags: result.caughtFlags,
        missedFlags: result.missedFlags,
        debrief: result,
      },
    });
    await recordAudit(tx, {
      action: "practice.finished",
      outcome: "ALLOWED",
      actor: staffActor(actor),
      target: { type: "practice_run", id: run.id },
      data: {
        scenario: `${run.scenarioKey}@${run.scenarioVersion}`,
        impostor: run.impostor,
        score: result.score,
        safe: result.safe,
        passed: result.passed,
        moves: loaded.moves.length,
        missedFlags: result.missedFlags,
      },
      request: input.request,
    });
    await awardCertificationIfEarned(tx, {
      staffId: actor.id,
      now,
      actor: staffActor(actor),
      request: input.request,
    });
    return result;
  });
}

export type PracticeRunView = {
  id: string;
  mine: boolean;
  playerName: string;
  team: string | null;
  scenario: Scenario;
  scenarioVersion: number;
  policyVersion: number;
  startedAt: Date;
  finishedAt: Date | null;
  state: PracticeState;
  moves: LoadedRun["moves"];
  debrief: Debrief | null;
};

/**
 * A run as its reader may see it. The player reads their run at any time; a supervisor of the
 * player's team and a security reviewer read a finished run (its debrief). Anyone else is
 * refused (audited) and gets null, as for a run that does not exist.
 */
export async function getPracticeRun(input: {
  viewer: Actor;
  runId: string;
  request?: RequestContext;
}): Promise<PracticeRunView | null> {
  const { viewer } = input;
  const found = await loadRun(db, input.runId);
  if (!found) return null;
  const { run, loaded } = found;
  const mine = run.staffId === viewer.id;
  const reviewer =
    run.finishedAt !== null &&
    (viewer.role === "SECURITY" ||
      (viewer.role === "SUPERVISOR" && viewer.team !== null && viewer.team === run.team));
  if (!mine && !reviewer) {
    await auditedTransaction(db, (tx) =>
      recordRefusal(tx, {
        actor: viewer,
        runId: run.id,
        attempted: "read practice run",
        code: "FORBIDDEN",
        message:
          "Only the player, or once finished their team's supervisors and security reviewers, read a practice run.",
        request: input.request,
      }),
    );
    return null;
  }
  return {
    id: run.id,
    mine,
    playerName: run.staff.name,
    team: run.team,
    scenario: loaded.scenario,
    scenarioVersion: run.scenarioVersion,
    policyVersion: run.policyVersion,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    state: fold(loaded),
    moves: loaded.moves,
    debrief: run.debrief ? (run.debrief as Debrief) : null,
  };
}

/** The actor's own runs, newest first. */
export async function listMyPracticeRuns(staffId: string) {
  return db.practiceRun.findMany({
    where: { staffId },
    orderBy: { startedAt: "desc" },
    take: 50,
    select: {
      id: true,
      scenarioKey: true,
      scenarioVersion: true,
      scenario: true,
      startedAt: true,
      finishedAt: true,
      score: true,
      safe: true,
      passed: true,
      moveCount: true,
    },
  });
}
