/**
 * Four-eyes approval of a re-enrolment (SECURITY.md A4-A6). An approval is bound to a
 * canonical snapshot of what was approved; it is decided by a supervisor who neither requested
 * nor verified the case, expires, and is used once.
 */
import type { Refusal } from "./recovery-decisions";
import type { CaseFacts } from "./recovery-decisions";
import type { RecoveryPolicy } from "./recovery-policy";
import type { StaffRole } from "./roles";

/** JSON with object keys sorted at every depth: equal content, equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** What a supervisor approves: if any of it changes before the approval is used, it is stale. */
export type ReenrolmentSnapshot = {
  action: "REENROL";
  caseId: string;
  userId: string;
  riskTier: string;
  employment: string;
  policyVersion: number;
  /** Passkeys to revoke when the new one is enrolled (sorted). */
  revokePasskeyIds: string[];
  /** Where the enrolment link goes (verified addresses, sorted). */
  contact: string[];
  /** The recorded checklist outcomes (sorted by step). */
  checklist: { kind: string; outcome: string }[];
  redFlags: string[];
};

export function reenrolmentSnapshot(input: Omit<ReenrolmentSnapshot, "action">): ReenrolmentSnapshot {
  return {
    action: "REENROL",
    ...input,
    revokePasskeyIds: [...input.revokePasskeyIds].sort(),
    contact: [...input.contact].sort(),
    checklist: [...input.checklist].sort((a, b) => (a.kind < b.kind ? -1 : 1)),
    redFlags: [...input.redFlags].sort(),
  };
}

/** Why this re-enrolment needs a supervisor, or null when it may proceed at once. */
export function approvalReason(input: { facts: CaseFacts; needsApproval: boolean }): string | null {
  if (input.facts.riskTier === "HIGH_RISK" || input.facts.riskTier === "PRIVILEGED") return `${input.facts.riskTier.toLowerCase().replace("_", "-")} tier`;
  if (input.facts.redFlags.length > 0) return "a red flag was raised";
  if (input.needsApproval) return "repeat call";
  return null;
}

/** Whether a re-enrolment may be requested now. */
export function decideReenrolmentRequest(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  revokePasskeyIds: readonly string[];
  activePasskeyIds: readonly string[];
  hasVerifiedAddress: boolean;
}): { ok: true } | Refusal {
  const { facts } = input;
  if (facts.leaver) return { ok: false, code: "LEAVER", message: "This person has left: they cannot be re-enrolled." };
  if (facts.status !== "VERIFIED") {
    return { ok: false, code: "SEQUENCE", message: "A re-enrolment can be requested once verification is complete, and only once per case." };
  }
  const stop = facts.redFlags.find((flag) => input.policy.redFlags[flag.kind]?.effect === "stop");
  if (stop) return { ok: false, code: "RED_FLAG", message: `The case was stopped by a red flag (${input.policy.redFlags[stop.kind].label}).` };
  const unknown = input.revokePasskeyIds.filter((id) => !input.activePasskeyIds.includes(id));
  if (unknown.length > 0) return { ok: false, code: "INVALID_INPUT", message: "Only this person's active passkeys can be chosen for revocation." };
  if (!input.hasVerifiedAddress) return { ok: false, code: "CONFLICT", message: "This person has no verified address to send the link to." };
  return { ok: true };
}

/**
 * Whether `approver` may decide this approval. The role is the one read fresh at decision
 * time; the approver is never the requester nor anyone who verified the case (NIST SP 800-53 AC-5).
 */
export function decideApproval(input: {
  approver: { id: string; role: StaffRole };
  requestedById: string;
  verifiedByIds: readonly string[];
  status: string;
  expiresAt: Date | null;
  now: Date;
}): { ok: true } | Refusal {
  if (input.approver.role !== "SUPERVISOR") return { ok: false, code: "FORBIDDEN", message: "Only a supervisor can decide re-enrolments." };
  if (input.approver.id === input.requestedById) return { ok: false, code: "FORBIDDEN", message: "You requested this re-enrolment: another supervisor must decide it." };
  if (input.verifiedByIds.includes(input.approver.id)) return { ok: false, code: "FORBIDDEN", message: "You verified this caller: another supervisor must decide it." };
  if (input.status !== "PENDING") return { ok: false, code: "SEQUENCE", message: "This request was already decided." };
  if (input.expiresAt && input.expiresAt.getTime() <= input.now.getTime()) return { ok: false, code: "SEQUENCE", message: "This request expired; the agent can ask again." };
  return { ok: true };
}
