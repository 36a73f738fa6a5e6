import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { BREAK_GLASS_TEST_MAX_MINUTES } from "@/lib/domain/break-glass";
import { plainText } from "@/lib/domain/plain-text";

/** Mark or clear a break-glass account (security reviewers, decision 039), with why. */
export const BreakGlassSchema = z.strictObject(
  {
    userId: z.uuid({ message: "That is not a user." }),
    breakGlass: z.enum(["mark", "clear"], { message: "Mark or clear." }),
    reason: plainText({ label: "Reason", min: 3, max: 300, tooShort: "Say why." }),
  },
  UNEXPECTED_FIELDS,
);

/** A planned test: sign-ins within the next `minutes` are recorded as a test, not an incident. */
export const BreakGlassTestSchema = z.strictObject(
  {
    userId: z.uuid({ message: "That is not a user." }),
    minutes: z.coerce
      .number({ message: "How many minutes?" })
      .int({ message: "Whole minutes." })
      .min(1, { message: "At least a minute." })
      .max(BREAK_GLASS_TEST_MAX_MINUTES, {
        message: `At most ${BREAK_GLASS_TEST_MAX_MINUTES} minutes.`,
      }),
  },
  UNEXPECTED_FIELDS,
);

/** A security reviewer's part in approving a break-glass recovery (two supervisors and one reviewer). */
export const BreakGlassApproveSchema = z.strictObject(
  {
    userId: z.uuid({ message: "That is not a user." }),
    approvalId: z.uuid({ message: "That is not a request." }),
    reason: plainText({
      label: "The reason",
      min: 3,
      max: 500,
      tooShort: "Give the reason for your approval.",
    }),
  },
  UNEXPECTED_FIELDS,
);
