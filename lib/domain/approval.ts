/**
 * Four-eyes approval of a re-enrolment (docs/security-requirements.md A4-A6). An approval is bound to a
 * canonical snapshot of what was approved; it is decided by a supervisor who neither requested
 * nor verified the case, expires, and is used once.
 */
import type { Refusal } from "./recovery-decisions";
import type { StaffRole } from "./roles";

export { canonicalJson } from "./canonical-json";

/** What a supervisor approves: if any of it changes before the approval is used, it is stale. */
export type ReenrolmentSnapshot = {
  action: "REENROL";
  caseId: string;
  userId: string;
  riskTier: string;
  employment: string;
  /** From HR: the number the callback went to, and the manager who confirmed. */
  phoneOfRecord: string;
  managerId: string | null;
  policyVersion: number;
  repeatCall: number;
  /** Passkeys to revoke when the new one is enrolled (sorted). */
  revokePasskeyIds: string[];
  /** Where the enrolment link goes (verified addresses, sorted). */
  contact: string[];
  /** The recorded checklist outcomes and the evidence the approver read (sorted by step). */
  checklist: { kind: string; outcome: string; note: string; evidence: unknown }[];
  redFlags: string[];
};

export function reenrolmentSnapshot(
  input: Omit<ReenrolmentSnapshot, "action">,
): ReenrolmentSnapshot {
  return {
    action: "REENROL",
    ...input,
    revokePasskeyIds: [...input.revokePasskeyIds].sort(),
    contact: [...input.contact].sort(),
    checklist: [...input.checklist].sort((a, b) => (a.kind < b.kind ? -1 : 1)),
    redFlags: [...input.redFlags].sort(),
  };
}

/** Moved beside the other case decisions; kept here for the callers that read approvals. */
export { approvalNeed, decideReenrolmentRequest } from "./recovery-decisions";

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
  if (input.approver.role !== "SUPERVISOR")
    return { ok: false, code: "FORBIDDEN", message: "Only a supervisor can decide re-enrolments." };
  if (input.approver.id === input.requestedById)
    return {
      ok: false,
      code: "FORBIDDEN",
      message: "You requested this re-enrolment: another supervisor must decide it.",
    };
  if (input.verifiedByIds.includes(input.approver.id))
    return {
      ok: false,
      code: "FORBIDDEN",
      message: "You verified this caller: another supervisor must decide it.",
    };
  // A request that lapsed (marked so by the sweep, or not yet) says so, with when: never "already decided".
  const lapsed =
    input.status === "EXPIRED" ||
    (input.status === "PENDING" && approvalLapsed(input.expiresAt, input.now));
  if (lapsed) return { ok: false, code: "SEQUENCE", message: lapsedMessage(input.expiresAt) };
  if (input.status !== "PENDING")
    return { ok: false, code: "SEQUENCE", message: "This request was already decided." };
  return { ok: true };
}

/** What a supervisor is told when the request they meant to decide lapsed first. */
export function lapsedMessage(expiresAt: Date | null): string {
  return (
    `This request lapsed unanswered${expiresAt ? ` at ${utcMinute(expiresAt)} UTC` : ""}: ` +
    "nothing was approved or denied. The agent can ask again from the case."
  );
}

/**
 * Whether a request nobody decided has lapsed: at `expiresAt` exactly, the instant decideApproval
 * starts refusing it (pages show it lapsed from then; lib/domain/time-left.ts says how long is left before).
 */
export function approvalLapsed(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** 2026-11-24 10:15: a time in a message, in UTC (the message says so). */
function utcMinute(date: Date): string {
  return date.toISOString().slice(0, 16).replace("T", " ");
}
