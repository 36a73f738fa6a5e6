/**
 * The closed list of audited actions, each with the schema of its payload. recordAudit()
 * (lib/server/audit.ts) only accepts an action from this list with a payload that parses.
 * Payloads never carry secrets (TAPs, link tokens, session tokens, provider tokens).
 */
import { z } from "zod";
import { STAFF_ROLES } from "./roles";

const Method = z.enum(["demo", "oidc"]);

export const AUDIT_ACTIONS = {
  /** A staff member signed in and a session began. */
  "staff.signed_in": z.object({ method: Method }).strict(),
  /** A sign-in was refused (unknown or disabled staff, no console role in the IdP claims, demo off). */
  "staff.sign_in_refused": z
    .object({ method: Method, email: z.string().max(320).optional(), detail: z.string().max(200) })
    .strict(),
  /** A staff member signed out; their session was deleted. */
  "staff.signed_out": z.object({}).strict(),
  /** First sign-in through the identity provider created the staff record. */
  "staff.provisioned": z.object({ role: z.enum(STAFF_ROLES), provider: z.string().max(64) }).strict(),
  /** The identity provider's role claim changed a staff member's role; their other sessions ended. */
  "staff.role_changed": z.object({ from: z.enum(STAFF_ROLES), to: z.enum(STAFF_ROLES) }).strict(),
  /** A signed-in staff member asked for something their role does not allow. */
  "access.denied": z.object({ permission: z.string().max(64), path: z.string().max(512) }).strict(),
  /** The demo organisation was loaded into an empty database. */
  "system.demo_seeded": z.object({ workforceUsers: z.number().int(), staff: z.number().int() }).strict(),
} as const satisfies Record<string, z.ZodType>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export type AuditPayload<A extends AuditAction> = z.input<(typeof AUDIT_ACTIONS)[A]>;

export const AUDIT_OUTCOMES = ["ALLOWED", "REFUSED"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export function parseAuditPayload<A extends AuditAction>(action: A, data: AuditPayload<A>) {
  return AUDIT_ACTIONS[action].parse(data) as z.output<(typeof AUDIT_ACTIONS)[A]>;
}
