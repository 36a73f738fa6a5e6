import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";

/** The scenario editor's form: the key edited ("" for a new one), the version it started from. */
export const SaveScenarioSchema = z.strictObject(
  {
    key: z
      .string()
      .max(80, { message: "That is not a scenario." })
      .regex(/^([a-z0-9]+(-[a-z0-9]+)*)?$/, { message: "That is not a scenario." }),
    baseVersion: z.coerce
      .number({ message: "The form lost its version: open the scenario again." })
      .int()
      .min(0)
      .max(100_000),
    text: z
      .string()
      .min(2, { message: "Paste or write the scenario's JSON." })
      .max(60_000, { message: "The scenario is too long (60,000 characters at most)." }),
    note: z.string().max(300, { message: "Keep the note under 300 characters." }),
  },
  UNEXPECTED_FIELDS,
);
