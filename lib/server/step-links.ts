import "server-only";
/**
 * The shared half of steps completed through a one-time link (manager confirmation, passkey
 * proof): finding a usable link without a lock, then answering it through the case unit of work
 * (user → case → link), where the link is read again and the answer judged on the locked case.
 */
import type { Prisma } from "@/generated/prisma/client";
import { DomainError } from "@/lib/domain/errors";
import { decideRecordStep, type Refusal } from "@/lib/domain/recovery-decisions";
import type { LinkedStep } from "@/lib/domain/step-kinds";
import { db } from "@/lib/db";
import { recordAudit, type AuditActor, type Tx, auditedTransaction } from "./audit";
import { runCaseWork, type CaseUnit, type Outcome } from "./cases/unit-of-work";
import { stopRecovery } from "./cases/void-recovery";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";
import { spendLinkTry } from "./rate-limit";
import { countRefusal } from "./refusal-tally";

export const INVALID_LINK =
  "This link is not valid any more. It may have been used, replaced or expired.";

const LINK_SELECT = {
  id: true,
  kind: true,
  usedAt: true,
  voidedAt: true,
  expiresAt: true,
  case: {
    select: {
      id: true,
      reason: true,
      userId: true,
      user: {
        select: {
          id: true,
          name: true,
          employeeId: true,
          webauthnUserId: true,
          manager: { select: { id: true, name: true } },
        },
      },
    },
  },
} satisfies Prisma.StepLinkSelect;

export type UsableStepLink = Prisma.StepLinkGetPayload<{ select: typeof LINK_SELECT }>;

function usable(link: UsableStepLink | null, kind: LinkedStep, now: Date): link is UsableStepLink {
  return Boolean(
    link && link.kind === kind && !link.usedAt && !link.voidedAt && link.expiresAt > now,
  );
}

/** The link behind a token, if it is for `kind`, unused, not voided and unexpired. Reading never locks nor uses it. */
export async function findUsableStepLink(
  token: string,
  kind: LinkedStep,
  tx: Pick<Tx, "stepLink"> = db,
): Promise<UsableStepLink | null> {
  const link = await tx.stepLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: LINK_SELECT,
  });
  return usable(link, kind, new Date()) ? link : null;
}

/**
 * Records the refusal of a link that cannot be used. A link we hold (used, voided, expired, or
 * for another step) names its case: audited. A token we never issued names nothing: counted, not
 * audited (decision 002), so guessing cannot grow the audit trail.
 */
export async function refuseUnusableStepLink(
  token: string,
  attempted: string,
  request?: RequestContext,
): Promise<never> {
  const link = await db.stepLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { usedAt: true, voidedAt: true, case: { select: { id: true, userId: true } } },
  });
  if (!link) {
    await countRefusal("step.link_refused", "UNKNOWN_LINK");
  } else {
    const state = link.usedAt ? "used" : link.voidedAt ? "voided" : "expired or for another step";
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "step.link_refused",
        outcome: "REFUSED",
        reason: "SEQUENCE",
        actor: { type: "ANONYMOUS" },
        caseId: link.case.id,
        subjectUserId: link.case.userId,
        data: { detail: `${attempted}: link ${state}` },
        request,
      }),
    );
  }
  throw new DomainError("SEQUENCE", INVALID_LINK);
}

/**
 * Answers a step link: reads it without a lock to learn the case, then runs `answer` in the case
 * unit of work with the link locked after the user and the case, and re-checks the link there.
 * Every refusal is audited with its real reason; the person holding the link only learns that it
 * is not valid any more.
 */
export async function answerStepLink<T>(
  input: {
    token: string;
    kind: LinkedStep;
    attempted: string;
    request?: RequestContext;
    actorFor: (link: UsableStepLink) => AuditActor;
  },
  answer: (
    unit: CaseUnit,
    link: UsableStepLink,
    refuse: (refusal: Refusal) => Promise<Refusal>,
  ) => Promise<Outcome<T>>,
): Promise<T> {
  await spendLinkTry("step.link_refused", input.request);
  const found = await findUsableStepLink(input.token, input.kind);
  if (!found) return refuseUnusableStepLink(input.token, input.attempted, input.request);
  return runCaseWork(
    {
      caseId: found.case.id,
      actor: { kind: "public", audit: input.actorFor(found) },
      attempted: input.attempted,
      rows: [{ table: "StepLink", id: found.id }],
      refusalAction: "step.link_refused",
      request: input.request,
    },
    async (unit) => {
      const refuse = async (refusal: Refusal): Promise<Refusal> => ({
        ...(await unit.refuse(refusal)),
        message: INVALID_LINK,
      });
      const link = await unit.tx.stepLink.findUnique({
        where: { id: found.id },
        select: LINK_SELECT,
      });
      if (!usable(link, input.kind, unit.now))
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "link used, voided or expired while waiting",
        });
      return answer(unit, link, refuse);
    },
  );
}

/**
 * Records the responder's answer on the locked case: the link is used, the step set, the case
 * maybe VERIFIED. A denial (FAILED) stops the case: what recovery issued the person, on any case,
 * is voided, their recovery is put on hold until a supervisor clears it, and the event is
 * recorded as a refusal.
 */
export async function completeLinkedStep(
  unit: CaseUnit,
  refuse: (refusal: Refusal) => Promise<Refusal>,
  input: {
    linkId: string;
    kind: LinkedStep;
    outcome: "PASSED" | "FAILED";
    note: string;
    evidence: Prisma.InputJsonValue;
  },
): Promise<Outcome<{ complete: boolean }>> {
  const { tx, kase, facts, policy, now, actor } = unit;
  const decision = decideRecordStep({
    policy,
    facts,
    kind: input.kind,
    outcome: input.outcome,
    by: "responder",
  });
  if (!decision.ok) return refuse(decision);
  await tx.stepLink.update({
    where: { id: input.linkId },
    data: { usedAt: now, answer: input.outcome },
  });
  const step = kase.checklist!.steps.find((s) => s.kind === input.kind)!;
  await tx.checklistStep.update({
    where: { id: step.id },
    data: { outcome: input.outcome, recordedAt: now, note: input.note, evidence: input.evidence },
  });
  if (decision.status !== facts.status) {
    await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: decision.status } });
    await tx.checklistRun.update({ where: { id: kase.checklist!.id }, data: { completedAt: now } });
  }
  let voided;
  if (decision.stops) {
    // A denial by the person asked is evidence against the caller: like a supervisor's denial, it
    // stops every recovery of the person in flight, not only this case's, and holds new ones.
    voided = await stopRecovery(
      tx,
      { userId: kase.userId },
      {
        reason: `${input.kind.toLowerCase().replace("_", " ")} denied`,
        now,
        userId: kase.userId,
        caseId: kase.id,
      },
    );
    await tx.recoveryHold.create({
      data: {
        userId: kase.userId,
        caseId: kase.id,
        reason: `${input.note} (case opened ${kase.createdAt.toISOString().slice(0, 10)})`,
      },
    });
  }
  await recordAudit(tx, {
    action: "step.answered",
    outcome: decision.stops ? "REFUSED" : "ALLOWED",
    reason: decision.stops ? "STOPPED" : undefined,
    actor,
    caseId: kase.id,
    subjectUserId: kase.userId,
    target: { type: "case", id: kase.id },
    data: {
      step: input.kind,
      outcome: input.outcome,
      complete: decision.complete,
      ...(voided ? { voided, hold: true } : {}),
    },
    request: unit.request,
  });
  return { ok: true, value: { complete: decision.complete } };
}
