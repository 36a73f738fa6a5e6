import { z } from "zod";
import { formFields, UNEXPECTED_FIELDS } from "@/lib/action-state";
import {
  campaignFields,
  campaignInput,
  waveFields,
  WINDOW_ORDER_ISSUE,
  windowInOrder,
} from "@/lib/domain/rollout";

const WaveId = z.uuid({ message: "That is not a wave." });

export const CreateWaveSchema = z
  .strictObject(waveFields, UNEXPECTED_FIELDS)
  .refine(windowInOrder, WINDOW_ORDER_ISSUE);

export const ChangeWaveSchema = z
  .strictObject({ ...waveFields, waveId: WaveId }, UNEXPECTED_FIELDS)
  .refine(windowInOrder, WINDOW_ORDER_ISSUE);

export const RetireWaveSchema = z.strictObject({ waveId: WaveId }, UNEXPECTED_FIELDS);

export const StartCampaignSchema = z
  .strictObject(campaignFields, UNEXPECTED_FIELDS)
  .transform(campaignInput);

export const StopCampaignSchema = z.strictObject(
  { campaignId: z.uuid({ message: "That is not a campaign." }) },
  UNEXPECTED_FIELDS,
);

/** A wave form: its checkboxes carry every value they have. */
export function waveFormFields(formData: FormData) {
  return {
    ...formFields(formData),
    departments: formData.getAll("departments"),
    tiers: formData.getAll("tiers"),
  };
}
