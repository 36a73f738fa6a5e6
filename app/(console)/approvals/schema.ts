import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";

export const DecideSchema = z.strictObject(
  {
    approvalId: z.uuid({ message: "That is not a request." }),
    decision: z.enum(["approve", "deny"], { message: "Approve or deny." }),
    reason: plainText({
      label: "The reason",
      min: 3,
      max: 500,
      multiline: true,
      tooShort: "Give the reason for your decision.",
    }),
  },
  UNEXPECTED_FIELDS,
);
