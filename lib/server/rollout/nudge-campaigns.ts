import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { DomainError } from "@/lib/domain/errors";
import { secondPasskeyNudge } from "@/lib/domain/notifications";
import {
  budgetWindowStart,
  campaignAfterRound,
  campaignEffect,
  resendCutoff,
  roundDueBefore,
  sendBudget,
} from "@/lib/domain/nudges";
import type { CampaignInput } from "@/lib/domain/rollout";
import { can } from "@/lib/domain/roles";
import type { RiskTier } from "@/lib/domain/workforce";
import { auditedTransaction, recordAudit, staffActor, type AuditActor, type Tx } from "../audit";
import { enqueueMessage } from "../enqueue-message";
import { recordAccessDenied } from "../record-access-denied";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { coverageCondition, WAVE_OF_USER } from "./coverage-sql";

/**
 * Nudge campaigns (issue 15, part C; docs/decisions/038). A security reviewer starts one for a
 * wave or a risk tier; the background worker (lib/server/outbox-worker.ts) runs a round of each
 * running campaign every tick (runNudgeCampaigns). A round is claimed by a transaction-scoped
 * advisory lock on the campaign, taken without waiting: an instance that does not get it skips
 * the campaign, so two instances never mail in the same round, and a later round sees the
 * earlier one's mails (committed) in its budget and resend checks. Stopping takes the same lock,
 * waiting, so a stop never interleaves with a round.
 */

export const NUDGE_ACTOR = {
  type: "SYSTEM",
  name: "nudge campaigns",
} as const satisfies AuditActor;

/** The first half of a campaign's advisory lock key (the second: a hash of its id). */
const NUDGE_LOCK_PREFIX = "nudge-campaign:";

type Scope = { waveId: string | null; tier: RiskTier | null };

function inScope(scope: Scope): Prisma.Sql {
  if (scope.waveId) return Prisma.sql`${WAVE_OF_USER} = ${scope.waveId}::uuid`;
  if (scope.tier) return Prisma.sql`u."riskTier" = ${scope.tier}::"RiskTier"`;
  return Prisma.sql`FALSE`;
}

/** Active people in scope at lockout risk now (the report's "at lockout risk" of that scope). */
async function countAtRisk(tx: Pick<Tx, "$queryRaw">, scope: Scope): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "WorkforceUser" u
    WHERE ${inScope(scope)} AND ${coverageCondition("lockout-risk")}`;
  return row?.n ?? 0;
}

export async function startCampaign(input: {
  actor: CurrentStaff;
  campaign: CampaignInput;
  request?: RequestContext;
}): Promise<{ campaignId: string }> {
  await guard(input.actor, input.request);
  const { waveId, tier, ratePerHour, resendDays } = input.campaign;
  const result = await auditedTransaction(db, async (tx) => {
    // One start at a time for a scope: two reviewers pressing at once start one campaign.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`nudge-scope:${waveId ?? tier}`}, 0))`;
    const refuse = async (code: "NOT_FOUND" | "CONFLICT", message: string) => {
      await recordAudit(tx, {
        action: "nudge.campaign_refused",
        outcome: "REFUSED",
        reason: code,
        actor: staffActor(input.actor),
        data: { detail: message },
        request: input.request,
      });
      return { refused: { code, message } } as const;
    };
    if (waveId) {
      const wave = await tx.rolloutWave.findUnique({
        where: { id: waveId },
        select: { retiredAt: true },
      });
      if (!wave) return refuse("NOT_FOUND", "That wave does not exist.");
      if (wave.retiredAt) return refuse("CONFLICT", "That wave is retired: it takes nobody.");
    }
    const running = await tx.nudgeCampaign.count({
      where: { status: "running", waveId: waveId ?? null, tier: tier ?? null },
    });
    if (running > 0)
      return refuse("CONFLICT", "A campaign for that group is running already: stop it first.");
    const atRiskAtStart = await countAtRisk(tx, { waveId, tier });
    const campaign = await tx.nudgeCampaign.create({
      data: {
        waveId,
        tier,
        ratePerHour,
        resendDays,
        atRiskAtStart,
        startedById: input.actor.id,
        startedByName: input.actor.name,
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      action: "nudge.campaign_started",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "nudge_campaign", id: campaign.id },
      data: { campaignId: campaign.id, waveId, tier, ratePerHour, resendDays, atRiskAtStart },
      request: input.request,
    });
    return { campaignId: campaign.id } as const;
  });
  if ("refused" in result) throw new DomainError(result.refused.code, result.refused.message);
  return result;
}

export async function stopCampaign(input: {
  actor: CurrentStaff;
  campaignId: string;
  request?: RequestContext;
}): Promise<void> {
  await guard(input.actor, input.request);
  const refusal = await auditedTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${NUDGE_LOCK_PREFIX + input.campaignId}, 0))`;
    const campaign = await tx.nudgeCampaign.findUnique({
      where: { id: input.campaignId },
      select: { status: true },
    });
    const problem = !campaign
      ? ({ code: "NOT_FOUND", message: "That campaign does not exist." } as const)
      : campaign.status !== "running"
        ? ({ code: "CONFLICT", message: `That campaign is ${campaign.status} already.` } as const)
        : null;
    if (problem) {
      await recordAudit(tx, {
        action: "nudge.campaign_refused",
        outcome: "REFUSED",
        reason: problem.code,
        actor: staffActor(input.actor),
        target: { type: "nudge_campaign", id: input.campaignId },
        data: { detail: problem.message },
        request: input.request,
      });
      return problem;
    }
    await tx.nudgeCampaign.update({
      where: { id: input.campaignId },
      data: { status: "stopped", endedAt: new Date() },
    });
    await recordAudit(tx, {
      action: "nudge.campaign_stopped",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      target: { type: "nudge_campaign", id: input.campaignId },
      data: { campaignId: input.campaignId, mailed: await mailedPeople(tx, input.campaignId) },
      request: input.request,
    });
    return null;
  });
  if (refusal) throw new DomainError(refusal.code, refusal.message);
}

async function mailedPeople(tx: Pick<Tx, "$queryRaw">, campaignId: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(DISTINCT "userId")::int AS n FROM "NudgeSend" WHERE "campaignId" = ${campaignId}::uuid`;
  return row?.n ?? 0;
}

export type RoundResult =
  | { campaignId: string; status: "skipped" }
  | { campaignId: string; status: "running" | "completed"; mailed: number; atRisk: number };

/**
 * One round of every running campaign due one (ROUND_INTERVAL_SECONDS after its last), from the
 * background worker's tick. Each campaign in its own transaction, claimed or skipped (see above).
 */
export async function runNudgeCampaigns(
  options: { now?: Date; accountUrl?: string } = {},
): Promise<RoundResult[]> {
  const due = roundDueBefore(options.now ?? new Date());
  const running = await db.nudgeCampaign.findMany({
    where: { status: "running", OR: [{ lastRunAt: null }, { lastRunAt: { lte: due } }] },
    select: { id: true },
    orderBy: { startedAt: "asc" },
  });
  const results: RoundResult[] = [];
  for (const { id } of running) results.push(await runRound(id, options));
  return results;
}

async function runRound(
  campaignId: string,
  options: { now?: Date; accountUrl?: string },
): Promise<RoundResult> {
  const now = options.now ?? new Date();
  const accountUrl = options.accountUrl ?? `${publicUrl.replace(/\/+$/, "")}/account`;
  return auditedTransaction(db, async (tx) => {
    const [claim] = await tx.$queryRaw<{ claimed: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${NUDGE_LOCK_PREFIX + campaignId}, 0)) AS claimed`;
    if (!claim?.claimed) return { campaignId, status: "skipped" } as const;
    // Read under the claim: a stop or another round committed before it is seen.
    const campaign = await tx.nudgeCampaign.findUnique({
      where: { id: campaignId },
      select: { status: true, waveId: true, tier: true, ratePerHour: true, resendDays: true },
    });
    if (!campaign || campaign.status !== "running")
      return { campaignId, status: "skipped" } as const;
    const scope: Scope = { waveId: campaign.waveId, tier: campaign.tier as RiskTier | null };

    // Those mailed who are covered now (a second passkey, a synced one) are recorded once.
    await tx.$executeRaw`
      UPDATE "NudgeSend" s SET "coveredAt" = ${now}
      FROM "WorkforceUser" u
      WHERE s."campaignId" = ${campaignId}::uuid AND s."coveredAt" IS NULL AND u.id = s."userId"
        AND u.status = 'ACTIVE' AND NOT ${coverageCondition("lockout-risk")}`;

    const sentInLastHour = await tx.nudgeSend.count({
      where: { campaignId, sentAt: { gt: budgetWindowStart(now) } },
    });
    const budget = sendBudget(campaign.ratePerHour, sentInLastHour);
    // Coverage is read again here, in the transaction that mails: whoever is covered now is not
    // mailed, whatever they were when the campaign started.
    const due =
      budget === 0
        ? []
        : await tx.$queryRaw<{ id: string; name: string; address: string }[]>`
          SELECT u.id, u.name, a.address FROM "WorkforceUser" u
          CROSS JOIN LATERAL (
            SELECT e.address FROM "WorkforceEmail" e WHERE e."userId" = u.id AND e.verified
            ORDER BY e."isPrimary" DESC, (e.kind = 'work') DESC, e.address LIMIT 1) a
          WHERE ${inScope(scope)} AND ${coverageCondition("lockout-risk")}
            AND NOT EXISTS (SELECT 1 FROM "NudgeSend" s
                            WHERE s."userId" = u.id AND s."sentAt" > ${resendCutoff(now, campaign.resendDays)})
          ORDER BY u.name, u.id
          LIMIT ${budget}`;
    for (const person of due) {
      await enqueueMessage(tx, {
        to: person.address,
        message: secondPasskeyNudge({ name: person.name, accountUrl }),
        subjectUserId: person.id,
      });
    }
    if (due.length > 0)
      await tx.nudgeSend.createMany({
        data: due.map((person) => ({ campaignId, userId: person.id, sentAt: now })),
      });
    const atRisk = await countAtRisk(tx, scope);
    const status = campaignAfterRound(atRisk);
    await tx.nudgeCampaign.update({
      where: { id: campaignId },
      data: { lastRunAt: now, ...(status === "completed" ? { status, endedAt: now } : {}) },
    });
    if (due.length > 0)
      await recordAudit(tx, {
        action: "nudge.mailed",
        outcome: "ALLOWED",
        actor: NUDGE_ACTOR,
        target: { type: "nudge_campaign", id: campaignId },
        data: { campaignId, mailed: due.length, atRisk },
      });
    if (status === "completed")
      await recordAudit(tx, {
        action: "nudge.campaign_completed",
        outcome: "ALLOWED",
        actor: NUDGE_ACTOR,
        target: { type: "nudge_campaign", id: campaignId },
        data: { campaignId, mailed: await mailedPeople(tx, campaignId) },
      });
    return { campaignId, status, mailed: due.length, atRisk } as const;
  });
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
  throw new DomainError("FORBIDDEN", "Only security reviewers start and stop nudge campaigns.");
}

/**
 * The campaigns page: every campaign, newest first, with its progress (people at risk at the
 * start and now, mailed, covered since) and its effect by day.
 */
export async function findCampaigns(now: Date = new Date()) {
  const campaigns = await db.nudgeCampaign.findMany({
    orderBy: { startedAt: "desc" },
    take: 20,
    select: {
      id: true,
      waveId: true,
      wave: { select: { name: true } },
      tier: true,
      status: true,
      startedByName: true,
      startedAt: true,
      endedAt: true,
      ratePerHour: true,
      resendDays: true,
      atRiskAtStart: true,
      sends: { select: { userId: true, sentAt: true, coveredAt: true } },
    },
  });
  return Promise.all(
    campaigns.map(async ({ sends, ...campaign }) => {
      const effect = campaignEffect({
        startedAt: campaign.startedAt,
        until: campaign.endedAt ?? now,
        atRiskAtStart: campaign.atRiskAtStart,
        sends,
      });
      return {
        ...campaign,
        atRiskNow:
          campaign.status === "running"
            ? await countAtRisk(db, {
                waveId: campaign.waveId,
                tier: campaign.tier as RiskTier | null,
              })
            : null,
        mailed: effect.at(-1)?.mailedSoFar ?? 0,
        covered: effect.at(-1)?.coveredSoFar ?? 0,
        effect,
      };
    }),
  );
}
