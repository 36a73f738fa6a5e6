/**
 * Maps an identity provider's claims to a console role. The role claim must name exactly one
 * console role: several would join duties the console keeps apart (an approver must not also
 * administer the audit), so that is a refusal, not a pick.
 */
import { STAFF_ROLES, type StaffRole } from "./roles";

export type RoleFromClaims = { ok: true; role: StaffRole } | { ok: false; detail: string };

export function roleFromClaims(claims: Record<string, unknown>, claimName: string): RoleFromClaims {
  const raw = claims[claimName];
  const values = (Array.isArray(raw) ? raw : [raw]).filter(
    (v): v is string => typeof v === "string",
  );
  const roles = [...new Set(values.map((v) => v.trim().toUpperCase()))].filter(
    (v): v is StaffRole => (STAFF_ROLES as readonly string[]).includes(v),
  );
  if (roles.length === 0) return { ok: false, detail: `no console role in claim "${claimName}"` };
  if (roles.length > 1)
    return { ok: false, detail: `several console roles in claim "${claimName}"` };
  return { ok: true, role: roles[0]! };
}

/**
 * The staff member's team from the identity provider's claim: one non-empty name (an array of
 * exactly one is accepted, as some providers send groups that way), or null. Agents and
 * supervisors without a team may sign in but work no cases (the console says so).
 */
export function teamFromClaims(claims: Record<string, unknown>, claimName: string): string | null {
  const raw = claims[claimName];
  const values = (Array.isArray(raw) ? raw : [raw])
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim())
    .filter(Boolean);
  const unique = [...new Set(values)];
  if (unique.length !== 1) return null;
  const team = unique[0]!;
  return team.length <= 100 && !/[\u0000-\u001f]/.test(team) ? team : null;
}
