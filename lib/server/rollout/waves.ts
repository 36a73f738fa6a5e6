import "server-only";
import { db } from "@/lib/db";
import { orderWaves } from "@/lib/domain/coverage";
import { DomainError } from "@/lib/domain/errors";
import type { WaveInput } from "@/lib/domain/rollout";
import { can } from "@/lib/domain/roles";
import { auditedTransaction, recordAudit, staffActor, type Tx } from "../audit";
import { recordAccessDenied } from "../record-access-denied";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";

/**
 * Rollout waves (issue 15, part C; docs/decisions/038): security reviewers define, change and
 * retire them, each audited in the transaction of the change; a refusal is audited too.
 */

const day = (date: Date) => date.toISOString().slice(0, 10);

function wavePayload(waveId: string, wave: WaveInput) {
  return {
    waveId,
    name: wave.name,
    departments: wave.departments,
    tiers: wave.tiers,
    startsOn: day(wave.startsOn),
    windowEndsOn: day(wave.windowEndsOn),
  };
}

export async function createWave(input: {
  actor: CurrentStaff;
  wave: WaveInput;
  request?: RequestContext;
}): Promise<{ waveId: string }> {
  await guard(input.actor, input.request);
  return auditedTransaction(db, async (tx) => {
    const wave = await tx.rolloutWave.create({
      data: { ...input.wave, createdById: input.actor.id },
      select: { id: true },
    });
    await recordAudit(tx, {
      action: "wave.created",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "wave", id: wave.id },
      data: wavePayload(wave.id, input.wave),
      request: input.request,
    });
    return { waveId: wave.id };
  });
}

export async function changeWave(input: {
  actor: CurrentStaff;
  waveId: string;
  wave: WaveInput;
  request?: RequestContext;
}): Promise<void> {
  await guard(input.actor, input.request);
  const refusal = await auditedTransaction(db, async (tx) => {
    const problem = await liveWaveProblem(tx, input.waveId);
    if (problem) return refuse(tx, input, problem);
    await tx.rolloutWave.update({ where: { id: input.waveId }, data: input.wave });
    await recordAudit(tx, {
      action: "wave.changed",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "wave", id: input.waveId },
      data: wavePayload(input.waveId, input.wave),
      request: input.request,
    });
    return null;
  });
  if (refusal) throw new DomainError(refusal.code, refusal.message);
}

/** Retires a wave: it takes nobody any more (its people fall to the next wave that matches). */
export async function retireWave(input: {
  actor: CurrentStaff;
  waveId: string;
  request?: RequestContext;
}): Promise<void> {
  await guard(input.actor, input.request);
  const refusal = await auditedTransaction(db, async (tx) => {
    const problem = await liveWaveProblem(tx, input.waveId);
    if (problem) return refuse(tx, input, problem);
    const wave = await tx.rolloutWave.update({
      where: { id: input.waveId },
      data: { retiredAt: new Date() },
      select: { name: true },
    });
    await recordAudit(tx, {
      action: "wave.retired",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "wave", id: input.waveId },
      data: { waveId: input.waveId, name: wave.name },
      request: input.request,
    });
    return null;
  });
  if (refusal) throw new DomainError(refusal.code, refusal.message);
}

type Problem = { code: "NOT_FOUND" | "CONFLICT"; message: string };

async function liveWaveProblem(tx: Tx, waveId: string): Promise<Problem | null> {
  const wave = await tx.rolloutWave.findUnique({
    where: { id: waveId },
    select: { retiredAt: true },
  });
  if (!wave) return { code: "NOT_FOUND", message: "That wave does not exist." };
  if (wave.retiredAt) return { code: "CONFLICT", message: "That wave is retired already." };
  return null;
}

async function refuse(
  tx: Tx,
  input: { actor: CurrentStaff; waveId: string; request?: RequestContext },
  problem: Problem,
) {
  await recordAudit(tx, {
    action: "wave.refused",
    outcome: "REFUSED",
    reason: problem.code,
    actor: staffActor(input.actor),
    target: { type: "wave", id: input.waveId },
    data: { detail: problem.message },
    request: input.request,
  });
  return problem;
}

/** The use case checks the role itself (the action's guard is not the only one), audited. */
async function guard(actor: CurrentStaff, request?: RequestContext) {
  if (can(actor.role, "rollout:manage")) return;
  await recordAccessDenied({
    staff: actor,
    permission: "rollout:manage",
    path: "/settings/rollout",
    request,
  });
  throw new DomainError("FORBIDDEN", "Only security reviewers define rollout waves.");
}

export type Wave = Awaited<ReturnType<typeof findWaves>>[number];

/** Every wave, live ones in membership order first, then the retired ones. */
export async function findWaves() {
  const waves = await db.rolloutWave.findMany({
    select: {
      id: true,
      name: true,
      departments: true,
      tiers: true,
      startsOn: true,
      windowEndsOn: true,
      createdAt: true,
      retiredAt: true,
    },
  });
  return [
    ...orderWaves(waves),
    ...waves
      .filter((w) => w.retiredAt !== null)
      .sort((a, b) => b.retiredAt!.getTime() - a.retiredAt!.getTime()),
  ];
}

/** The departments people work in (the wave form's choices), from the directory. */
export async function findDepartments(): Promise<string[]> {
  const rows = await db.workforceUser.findMany({
    distinct: ["department"],
    select: { department: true },
    orderBy: { department: "asc" },
  });
  return rows.map((row) => row.department);
}

/** A wave's name, for the directory's note on its rollout filter (null: no such wave). */
export async function findWaveName(waveId: string): Promise<string | null> {
  const wave = await db.rolloutWave.findUnique({ where: { id: waveId }, select: { name: true } });
  return wave?.name ?? null;
}
