"use server";

import { staffAction } from "@/lib/auth/actions";
import { startCampaign, stopCampaign } from "@/lib/server/rollout/nudge-campaigns";
import { changeWave, createWave, retireWave } from "@/lib/server/rollout/waves";
import {
  ChangeWaveSchema,
  CreateWaveSchema,
  RetireWaveSchema,
  StartCampaignSchema,
  StopCampaignSchema,
  waveFormFields,
} from "./schema";

const PATHS = ["/settings/rollout", "/reports"];

export const createWaveAction = staffAction(
  "rollout:manage",
  CreateWaveSchema,
  async ({ actor, input, request }) => {
    await createWave({ actor, wave: input, request });
    return `Wave "${input.name}" defined.`;
  },
  { path: "/settings/rollout", revalidate: PATHS, fields: waveFormFields },
);

export const changeWaveAction = staffAction(
  "rollout:manage",
  ChangeWaveSchema,
  async ({ actor, input: { waveId, ...wave }, request }) => {
    await changeWave({ actor, waveId, wave, request });
    return `Wave "${wave.name}" saved.`;
  },
  { path: "/settings/rollout", revalidate: PATHS, fields: waveFormFields },
);

export const retireWaveAction = staffAction(
  "rollout:manage",
  RetireWaveSchema,
  async ({ actor, input, request }) => {
    await retireWave({ actor, waveId: input.waveId, request });
    return "Retired. Its people fall to the next wave that matches them.";
  },
  { path: "/settings/rollout", revalidate: PATHS },
);

export const startCampaignAction = staffAction(
  "rollout:manage",
  StartCampaignSchema,
  async ({ actor, input, request }) => {
    await startCampaign({ actor, campaign: input, request });
    return "Campaign started. The first mails go out within a minute.";
  },
  { path: "/settings/rollout", revalidate: PATHS },
);

export const stopCampaignAction = staffAction(
  "rollout:manage",
  StopCampaignSchema,
  async ({ actor, input, request }) => {
    await stopCampaign({ actor, campaignId: input.campaignId, request });
    return "Campaign stopped. Nothing more is mailed.";
  },
  { path: "/settings/rollout", revalidate: PATHS },
);
