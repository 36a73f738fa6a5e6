import { describe, expect, it } from "vitest";
import {
  campaignAfterRound,
  campaignEffect,
  resendCutoff,
  roundDueBefore,
  sendBudget,
} from "./nudges";
import { CampaignInputSchema, WaveInputSchema } from "./rollout";

describe("nudge rules", () => {
  it("sends at most the rate in any hour", () => {
    expect(sendBudget(50, 0)).toBe(50);
    expect(sendBudget(50, 48)).toBe(2);
    expect(sendBudget(50, 60)).toBe(0);
  });

  it("mails a person again only after the resend days", () => {
    const now = new Date("2026-11-24T12:00:00Z");
    expect(resendCutoff(now, 7).toISOString()).toBe("2026-11-17T12:00:00.000Z");
  });

  it("runs a campaign's rounds at least a minute apart", () => {
    expect(roundDueBefore(new Date("2026-11-24T12:00:00Z")).toISOString()).toBe(
      "2026-11-24T11:59:00.000Z",
    );
  });

  it("completes once nobody in scope is at risk", () => {
    expect(campaignAfterRound(0)).toBe("completed");
    expect(campaignAfterRound(3)).toBe("running");
  });

  it("shows the effect by day: first mails and people covered, with running totals", () => {
    const at = (text: string) => new Date(text);
    const effect = campaignEffect({
      startedAt: at("2026-11-20T09:00:00Z"),
      until: at("2026-11-22T18:00:00Z"),
      atRiskAtStart: 3,
      sends: [
        { userId: "a", sentAt: at("2026-11-20T09:05:00Z"), coveredAt: at("2026-11-21T08:00:00Z") },
        { userId: "b", sentAt: at("2026-11-20T10:00:00Z"), coveredAt: null },
        // b mailed again: still one person mailed, on the first day.
        { userId: "b", sentAt: at("2026-11-22T10:00:00Z"), coveredAt: null },
        { userId: "c", sentAt: at("2026-11-21T10:00:00Z"), coveredAt: at("2026-11-22T10:00:00Z") },
      ],
    });
    expect(effect).toEqual([
      { day: "2026-11-20", mailed: 2, covered: 0, mailedSoFar: 2, coveredSoFar: 0 },
      { day: "2026-11-21", mailed: 1, covered: 1, mailedSoFar: 3, coveredSoFar: 1 },
      { day: "2026-11-22", mailed: 0, covered: 1, mailedSoFar: 3, coveredSoFar: 2 },
    ]);
  });
});

describe("rollout input", () => {
  it("parses a wave, and refuses a window that ends before it starts", () => {
    const wave = WaveInputSchema.parse({
      name: "Wave 1: Finance",
      departments: ["Finance", "Finance"],
      tiers: ["HIGH_RISK"],
      startsOn: "2026-12-01",
      windowEndsOn: "2026-12-31",
    });
    expect(wave.departments).toEqual(["Finance"]);
    expect(wave.startsOn.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    const backwards = WaveInputSchema.safeParse({
      ...wave,
      startsOn: "2026-12-31",
      windowEndsOn: "2026-12-01",
    });
    expect(backwards.success).toBe(false);
    expect(
      WaveInputSchema.safeParse({
        name: "x",
        departments: [],
        tiers: [],
        startsOn: "2026-02-31",
        windowEndsOn: "2026-03-01",
      }).success,
    ).toBe(false);
  });

  it("reads a campaign's scope as a wave or a risk tier", () => {
    const wave = CampaignInputSchema.parse({
      scope: "0b7e4a52-6c1d-4d8e-9a55-3f1f2d7c9e10",
      ratePerHour: "20",
      resendDays: "7",
    });
    expect(wave).toEqual({
      waveId: "0b7e4a52-6c1d-4d8e-9a55-3f1f2d7c9e10",
      tier: null,
      ratePerHour: 20,
      resendDays: 7,
    });
    const tier = CampaignInputSchema.parse({
      scope: "tier:PRIVILEGED",
      ratePerHour: 5,
      resendDays: 3,
    });
    expect(tier.tier).toBe("PRIVILEGED");
    expect(
      CampaignInputSchema.safeParse({ scope: "tier:NOPE", ratePerHour: 5, resendDays: 3 }).success,
    ).toBe(false);
    expect(
      CampaignInputSchema.safeParse({ scope: "tier:STANDARD", ratePerHour: 0, resendDays: 3 })
        .success,
    ).toBe(false);
  });
});
