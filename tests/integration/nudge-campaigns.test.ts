/**
 * Nudge campaigns (issue 15, part C; docs/decisions/038) against PostgreSQL: the job mails people
 * at lockout risk in scope through the outbox with a link to /account, at most the campaign's
 * rate in any hour, never someone who became covered, each person once in the resend days; it
 * completes once nobody in scope is at risk; a stopped campaign mails nobody; two workers running
 * the job at once mail each person once. Starting and stopping are audited, refusals too.
 */
import { describe, expect, it } from "vitest";
import { CampaignInputSchema } from "@/lib/domain/rollout";
import type { RiskTier } from "@/lib/domain/workforce";
import {
  findCampaigns,
  runNudgeCampaigns,
  startCampaign,
  stopCampaign,
} from "@/lib/server/rollout/nudge-campaigns";
import { unseal } from "@/lib/server/sealed";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";
import { addPasskey, person } from "@/tests/rollout";

const HOUR = 60 * 60 * 1000;
const ACCOUNT = "https://console.example/account";

const campaign = (tier: RiskTier, ratePerHour: number, resendDays = 7) =>
  CampaignInputSchema.parse({ scope: `tier:${tier}`, ratePerHour, resendDays });

async function nudges(userIds: string[]) {
  const rows = await db.outboxMessage.findMany({
    where: { kind: "rollout.nudge", subjectUserId: { in: userIds } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({ ...row, text: unseal(row.body) }));
}

describe("nudge campaigns", () => {
  it("mails at most the rate, skips the newly covered, and completes once nobody is at risk", async () => {
    const security = await actor("SECURITY");
    // Five contractors at risk (none, or one device-bound), one covered from the start, one leaver.
    const p = [];
    for (const [i, keys] of [[], [{ synced: false }], [], [{ synced: false }], []].entries())
      p.push(
        await person(
          { department: "Engineering", riskTier: "CONTRACTOR", name: `Nudge ${i + 1}` },
          keys,
        ),
      );
    const covered = await person(
      { department: "Engineering", riskTier: "CONTRACTOR", name: "Nudge 0 covered" },
      [{ synced: true }],
    );
    await person({
      department: "Engineering",
      riskTier: "CONTRACTOR",
      status: "LEFT",
      name: "Nudge 9",
    });
    const ids = [...p.map((u) => u.id), covered.id];

    const { campaignId } = await startCampaign({
      actor: security,
      campaign: campaign("CONTRACTOR", 2),
    });
    const started = await db.nudgeCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(started.atRiskAtStart).toBe(5);
    expect(
      await db.auditEvent.count({
        where: { action: "nudge.campaign_started", targetId: campaignId },
      }),
    ).toBe(1);

    // Round 1: two people (the rate), first by name; the mail links to /account.
    const t0 = new Date();
    expect(await runNudgeCampaigns({ now: t0, accountUrl: ACCOUNT })).toEqual([
      { campaignId, status: "running", mailed: 2, atRisk: 5 },
    ]);
    let mails = await nudges(ids);
    expect(mails.map((m) => m.subjectUserId)).toEqual([p[0]!.id, p[1]!.id]);
    expect(mails[0]!.toAddress).toBe(p[0]!.emails[0]!.address);
    expect(mails[0]!.text).toContain(ACCOUNT);
    expect(mails[0]!.subject).toMatch(/second passkey/);

    // Rounds are a minute apart at least: the next tick's call does nothing.
    expect(await runNudgeCampaigns({ now: new Date(t0.getTime() + 30_000) })).toEqual([]);
    // Round 2 within the hour: the budget is spent, nobody more.
    const r2 = await runNudgeCampaigns({
      now: new Date(t0.getTime() + 30 * 60_000),
      accountUrl: ACCOUNT,
    });
    expect(r2).toEqual([{ campaignId, status: "running", mailed: 0, atRisk: 5 }]);
    expect(await nudges(ids)).toHaveLength(2);

    // p[2] adds a synced passkey before their turn, p[0] (mailed) one too.
    await addPasskey(p[2]!.id, { synced: true });
    await addPasskey(p[0]!.id, { synced: true });
    // Round 3, an hour on: p[2] is covered now and not mailed; p[3] and p[4] are.
    const t3 = new Date(t0.getTime() + HOUR + 60_000);
    expect(await runNudgeCampaigns({ now: t3, accountUrl: ACCOUNT })).toEqual([
      { campaignId, status: "running", mailed: 2, atRisk: 3 },
    ]);
    mails = await nudges(ids);
    expect(mails.map((m) => m.subjectUserId)).toEqual([p[0]!.id, p[1]!.id, p[3]!.id, p[4]!.id]);
    expect(mails.map((m) => m.subjectUserId)).not.toContain(covered.id);
    // p[0]'s mail is recorded as covered since.
    const p0 = await db.nudgeSend.findFirstOrThrow({ where: { campaignId, userId: p[0]!.id } });
    expect(p0.coveredAt?.getTime()).toBe(t3.getTime());

    // Round 4 later still: everyone at risk was mailed within the resend days: nobody again.
    const t4 = new Date(t0.getTime() + 3 * HOUR);
    expect(await runNudgeCampaigns({ now: t4, accountUrl: ACCOUNT })).toEqual([
      { campaignId, status: "running", mailed: 0, atRisk: 3 },
    ]);

    // The rest add a passkey: the next round finds nobody at risk and completes the campaign.
    for (const u of [p[1]!, p[3]!, p[4]!]) await addPasskey(u.id, { synced: true });
    const t5 = new Date(t0.getTime() + 4 * HOUR);
    expect(await runNudgeCampaigns({ now: t5, accountUrl: ACCOUNT })).toEqual([
      { campaignId, status: "completed", mailed: 0, atRisk: 0 },
    ]);
    const done = await db.nudgeCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(done.status).toBe("completed");
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { action: "nudge.campaign_completed", targetId: campaignId },
        select: { data: true },
      }),
    ).toMatchObject({ data: { campaignId, mailed: 4 } });
    expect(
      await db.auditEvent.count({ where: { action: "nudge.mailed", targetId: campaignId } }),
    ).toBe(2);
    // A completed campaign is not run again.
    expect(await runNudgeCampaigns({ now: new Date(t0.getTime() + 5 * HOUR) })).toEqual([]);

    // Its effect: 5 at risk at the start, 4 mailed, 4 covered since.
    const [shown] = (await findCampaigns(t5)).filter((c) => c.id === campaignId);
    expect(shown).toMatchObject({ atRiskAtStart: 5, mailed: 4, covered: 4, atRiskNow: null });
  });

  it("mails nobody once stopped, and refuses a second campaign for the same group", async () => {
    const security = await actor("SECURITY");
    const u = await person({ department: "Warehouse", riskTier: "FRONTLINE", name: "Stop 1" });
    const { campaignId } = await startCampaign({
      actor: security,
      campaign: campaign("FRONTLINE", 10),
    });
    await expect(
      startCampaign({ actor: security, campaign: campaign("FRONTLINE", 10) }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.auditEvent.count({ where: { action: "nudge.campaign_refused" } })).toBe(1);
    await stopCampaign({ actor: security, campaignId });
    const after = await runNudgeCampaigns({ now: new Date() });
    expect(after.map((round) => round.campaignId)).not.toContain(campaignId);
    expect(await nudges([u.id])).toHaveLength(0);
    await expect(stopCampaign({ actor: security, campaignId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(
      await db.auditEvent.count({
        where: { action: "nudge.campaign_stopped", targetId: campaignId },
      }),
    ).toBe(1);
    // Only security reviewers start campaigns.
    const supervisor = await actor("SUPERVISOR");
    await expect(
      startCampaign({ actor: supervisor, campaign: campaign("FRONTLINE", 10) }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("mails each person once when two workers run the job at the same moment", async () => {
    const security = await actor("SECURITY");
    const people = [];
    for (let i = 0; i < 6; i++)
      people.push(
        await person({ department: "Trading", riskTier: "PRIVILEGED", name: `Race ${i}` }),
      );
    const { campaignId } = await startCampaign({
      actor: security,
      campaign: campaign("PRIVILEGED", 100),
    });
    const now = new Date();
    for (let round = 0; round < 3; round++)
      await Promise.all([
        runNudgeCampaigns({ now, accountUrl: ACCOUNT }),
        runNudgeCampaigns({ now, accountUrl: ACCOUNT }),
      ]);
    const mails = await nudges(people.map((u) => u.id));
    expect(mails.map((m) => m.subjectUserId).sort()).toEqual(people.map((u) => u.id).sort());
    expect(await db.nudgeSend.count({ where: { campaignId } })).toBe(6);
  });
});
