/**
 * Staff roles and what each may do. Pure data and functions: the binding check runs in the
 * server against the role read fresh from the database on every request (lib/auth/session.ts);
 * the same table drives what the navigation shows.
 */
export const STAFF_ROLES = ["AGENT", "SUPERVISOR", "SECURITY"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ROLE_LABELS: Record<StaffRole, string> = {
  AGENT: "Agent",
  SUPERVISOR: "Supervisor",
  SECURITY: "Security reviewer",
};

/** One shared vocabulary of permissions (epic-stack style typed strings). */
export const PERMISSIONS = {
  /** Search the workforce directory and read a user's page. */
  "users:read": ["AGENT", "SUPERVISOR", "SECURITY"],
  /** Read recovery cases: agents and supervisors their own team's, security reviewers every team's. */
  "cases:read": ["AGENT", "SUPERVISOR", "SECURITY"],
  /** Open and work recovery cases, issue factors. */
  "cases:work": ["AGENT", "SUPERVISOR"],
  /**
   * Revoke a person's passkeys, one or all, at once (after a step-up, decision 015). Security
   * reviewers too: a reviewer who finds an attack in the trail stops it without waiting for the
   * desk (decision 025). Revoking only ever stops things; it works no case.
   */
  "passkeys:revoke": ["AGENT", "SUPERVISOR", "SECURITY"],
  /** Decide on high-risk re-enrolments (never one's own), reopen a failed step, clear a hold after a denial. */
  "approvals:decide": ["SUPERVISOR"],
  /** Suspend a person's access at once (suspected compromise, an investigation), and lift it. */
  "access:suspend": ["SUPERVISOR", "SECURITY"],
  /** Read, verify and export the audit trail; read and own the recovery policy. */
  "audit:read": ["SECURITY"],
  /** Issue and revoke Shared Signals receivers' tokens (decision 034). */
  "ssf:manage": ["SECURITY"],
  /** Read the active recovery policy (security reviewers own it; supervisors apply it). */
  "policy:read": ["SUPERVISOR", "SECURITY"],
  /** Recovery reports and per-agent metrics. */
  "reports:read": ["SUPERVISOR", "SECURITY"],
  /**
   * Play practice calls (docs/decisions/030): everyone who works cases, and security reviewers,
   * who try the scenarios they write. A practice call touches no real person.
   */
  "practice:play": ["AGENT", "SUPERVISOR", "SECURITY"],
  /** The team's readiness: who is certified until when, and which red flags people miss. */
  "practice:readiness": ["SUPERVISOR", "SECURITY"],
  /** Add and edit practice scenarios (each edit a new version, audited). */
  "scenarios:write": ["SECURITY"],
  /** The security queue of fraud signals across calls: read them and record a review. */
  "signals:review": ["SECURITY"],
  /** Add and disable the ITSM's webhook endpoints, and read their delivery log (decision 035). */
  "webhooks:manage": ["SECURITY"],
  /** Issue, rotate and revoke the bearer tokens identity providers provision over SCIM (decision 033). */
  "scim:manage": ["SECURITY"],
  /** Define rollout waves and start or stop nudge campaigns (docs/decisions/038). */
  "rollout:manage": ["SECURITY"],
  // Security keys and break-glass accounts (issue 15, part D; docs/decisions/039).
  /** See the security key inventory (who holds which key, which are due back). */
  "keys:read": ["AGENT", "SUPERVISOR", "SECURITY"],
  /** Issue a key at the desk (from a verified walk-in case: it enrols a passkey, so it works a case). */
  "keys:issue": ["AGENT", "SUPERVISOR"],
  /** Take a key back or report it lost: both only revoke, so everyone who may revoke may. */
  "keys:return": ["AGENT", "SUPERVISOR", "SECURITY"],
  /** Add keys to stock and retire them: security owns the inventory. */
  "keys:stock": ["SECURITY"],
  /** Mark or clear a break-glass account, and declare a planned test of one. */
  "breakglass:manage": ["SECURITY"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: StaffRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly StaffRole[]).includes(role);
}

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === "string" && (STAFF_ROLES as readonly string[]).includes(value);
}
