/**
 * The reviewer console's query string, parsed at the boundary. Keyset pagination: `before` is
 * the id of the last event on the previous page (newest first).
 */
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from "./audit-actions";

const ACTIONS = Object.keys(AUDIT_ACTIONS) as [
  keyof typeof AUDIT_ACTIONS,
  ...(keyof typeof AUDIT_ACTIONS)[],
];
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Dates look like 2026-11-22.");

export const AuditSearchSchema = z.object({
  action: z.enum(ACTIONS, { message: "Unknown action." }).optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { message: "Unknown outcome." }).optional(),
  actor: z
    .string()
    .trim()
    .max(100, "Search for at most 100 characters.")
    .optional()
    .transform((v) => v || undefined),
  userId: z.uuid({ message: "That is not a user ID." }).optional(),
  caseId: z.uuid({ message: "That is not a case ID." }).optional(),
  from: day.optional(),
  to: day.optional(),
  before: z
    .string()
    .regex(/^\d{1,19}$/, "Bad page cursor.")
    .optional(),
  verify: z.literal("1").optional(),
});
export type AuditSearch = z.output<typeof AuditSearchSchema>;

export const AUDIT_ACTION_NAMES = ACTIONS;
