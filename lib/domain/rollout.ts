/**
 * What a security reviewer may submit about rollout waves and nudge campaigns (issue 15, part C;
 * docs/decisions/038), parsed at the boundary. The rules themselves are in coverage.ts and
 * nudges.ts.
 */
import { z } from "zod";
import { MAX_RATE_PER_HOUR, MAX_RESEND_DAYS } from "./nudges";
import { plainText } from "./plain-text";
import { RISK_TIERS, type RiskTier } from "./workforce";

/** A calendar day, YYYY-MM-DD, that exists (2026-02-31 does not), as a UTC midnight. */
const Day = (label: string) =>
  z
    .string({ error: `${label} must be a date.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}: dates look like 2026-12-01.`)
    .transform((text, ctx) => {
      const date = new Date(`${text}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
        ctx.addIssue({
          code: "custom",
          message: `${label}: ${text} is not a day of the calendar.`,
        });
        return z.NEVER;
      }
      if (date.getUTCFullYear() < 2000 || date.getUTCFullYear() > 2100) {
        ctx.addIssue({ code: "custom", message: `${label}: pick a year from 2000 to 2100.` });
        return z.NEVER;
      }
      return date;
    });

/** A wave's fields, for the settings forms' strict schemas (app/(console)/settings/rollout). */
export const waveFields = {
  name: plainText({ label: "The wave's name", min: 1, max: 80, tooShort: "Name the wave." }),
  /** Empty: every department. */
  departments: z
    .array(plainText({ label: "A department", min: 1, max: 80 }))
    .max(50, "Pick at most 50 departments.")
    .transform((list) => [...new Set(list)]),
  /** Empty: every tier. */
  tiers: z
    .array(z.enum(RISK_TIERS, { message: "Unknown risk tier." }))
    .max(RISK_TIERS.length)
    .transform((list) => [...new Set(list)]),
  startsOn: Day("Starts on"),
  windowEndsOn: Day("Migration window ends"),
};

/** The window ends on or after the wave starts (a refinement of the whole wave). */
export function windowInOrder(wave: { startsOn: Date; windowEndsOn: Date }): boolean {
  return wave.windowEndsOn.getTime() >= wave.startsOn.getTime();
}
export const WINDOW_ORDER_ISSUE = {
  message: "The migration window must end on or after the wave starts.",
  path: ["windowEndsOn"],
};

export const WaveInputSchema = z.object(waveFields).refine(windowInOrder, WINDOW_ORDER_ISSUE);
export type WaveInput = z.output<typeof WaveInputSchema>;

const WaveId = z.uuid({ message: "That is not a wave." });

/** A campaign's fields, for the campaign form's strict schema. */
export const campaignFields = {
  /** A wave's id, or "tier:<TIER>" for a risk group: everyone of that tier. */
  scope: z.union(
    [
      WaveId.transform((waveId) => ({ waveId, tier: null })),
      z
        .string()
        .regex(/^tier:[A-Z_]+$/)
        .transform((text) => text.slice(5))
        .pipe(z.enum(RISK_TIERS))
        .transform((tier) => ({ waveId: null, tier })),
    ],
    { error: "Pick a wave or a risk group." },
  ),
  ratePerHour: z.coerce
    .number({ message: "The rate must be a number." })
    .int("The rate is a whole number of mails an hour.")
    .min(1, "Send at least one mail an hour.")
    .max(MAX_RATE_PER_HOUR, `Send at most ${MAX_RATE_PER_HOUR} mails an hour.`),
  resendDays: z.coerce
    .number({ message: "The days between mails must be a number." })
    .int("Days between mails is a whole number.")
    .min(1, "Mail a person at most once a day.")
    .max(MAX_RESEND_DAYS, `Pick at most ${MAX_RESEND_DAYS} days between mails.`),
};

/** The scope read into a wave or a tier. */
export function campaignInput<
  T extends { scope: { waveId: string | null; tier: RiskTier | null } },
>({ scope, ...rest }: T) {
  return { ...scope, ...rest };
}

export const CampaignInputSchema = z.object(campaignFields).transform(campaignInput);
export type CampaignInput = z.output<typeof CampaignInputSchema>;
