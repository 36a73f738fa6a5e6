"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { staffAction } from "@/lib/auth/actions";
import { startPracticeRun } from "@/lib/server/practice/runs";

const StartSchema = z.strictObject(
  {
    scenarioKey: z
      .string()
      .min(3, "Choose a scenario.")
      .max(60)
      .regex(/^[a-z0-9-]+$/, "Choose a scenario from the list."),
  },
  UNEXPECTED_FIELDS,
);

/** Starts a practice call of a library scenario and opens it. */
export const startPracticeAction = staffAction(
  "practice:play",
  StartSchema,
  async ({ actor, input, request }) => {
    const { runId } = await startPracticeRun({ actor, scenarioKey: input.scenarioKey, request });
    redirect(`/practice/${runId}`);
  },
  { path: "/practice", revalidate: "/practice" },
);
