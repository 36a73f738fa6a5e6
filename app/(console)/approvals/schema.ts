import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";

export const DecideSchema = z.strictObject(
  {
    approvalId: z.uuid({ message: "That is not a request." }),
    decision: z.enum(["approve", "deny"], { message: "Approve or deny." }),
    reason: z.string().trim().min(3, "Give the reason for your decision.").max(500),
  },
  UNEXPECTED_FIELDS,
);
