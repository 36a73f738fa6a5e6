import { describe, expect, it } from "vitest";
import { FORM_CHANGED } from "@/lib/action-state";
import { ChangeWaveSchema, CreateWaveSchema, StartCampaignSchema, waveFormFields } from "./schema";

const form = (entries: [string, string][]) => {
  const data = new FormData();
  for (const [key, value] of entries) data.append(key, value);
  return data;
};

describe("rollout forms", () => {
  it("reads every ticked department and tier of a wave form", () => {
    const fields = waveFormFields(
      form([
        ["name", "Wave 1"],
        ["departments", "Finance"],
        ["departments", "Legal"],
        ["tiers", "HIGH_RISK"],
        ["startsOn", "2026-12-01"],
        ["windowEndsOn", "2026-12-31"],
      ]),
    );
    const wave = CreateWaveSchema.parse(fields);
    expect(wave.departments).toEqual(["Finance", "Legal"]);
    expect(wave.tiers).toEqual(["HIGH_RISK"]);
  });

  it("refuses a field the form never had, and a window that ends before the start", () => {
    const base = {
      name: "Wave 1",
      departments: [],
      tiers: [],
      startsOn: "2026-12-01",
      windowEndsOn: "2026-12-31",
    };
    const tampered = CreateWaveSchema.safeParse({ ...base, createdById: "x" });
    expect(tampered.success).toBe(false);
    expect(tampered.error?.issues.map((issue) => issue.message)).toContain(FORM_CHANGED);
    expect(CreateWaveSchema.safeParse({ ...base, windowEndsOn: "2026-11-01" }).success).toBe(false);
    expect(ChangeWaveSchema.safeParse(base).success).toBe(false);
  });

  it("starts a campaign for a wave or a tier only", () => {
    expect(
      StartCampaignSchema.parse({ scope: "tier:FRONTLINE", ratePerHour: "10", resendDays: "7" }),
    ).toEqual({ waveId: null, tier: "FRONTLINE", ratePerHour: 10, resendDays: 7 });
    expect(
      StartCampaignSchema.safeParse({ scope: "everyone", ratePerHour: "10", resendDays: "7" })
        .success,
    ).toBe(false);
  });
});
