/**
 * The recovery case state machine (docs/security-requirements.md A1). The server asks it before every change;
 * steps cannot be skipped or replayed. REVOKED and CLOSED are reachable from any open state.
 *
 *   OPEN → VERIFIED → [PENDING_APPROVAL → APPROVED] → FACTOR_ISSUED / REENROLLED → CLOSED
 */
export const CASE_STATUSES = [
  "OPEN",
  "VERIFIED",
  "PENDING_APPROVAL",
  "APPROVED",
  "FACTOR_ISSUED",
  "REENROLLED",
  "REVOKED",
  "CLOSED",
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_EVENTS = [
  "RECORD_STEP",
  "RAISE_RED_FLAG",
  "CHECKLIST_COMPLETE",
  "ISSUE_TAP",
  "REQUEST_APPROVAL",
  "APPROVE",
  "DENY",
  "EXPIRE_APPROVAL",
  "REENROL",
  "REVOKE",
  "CLOSE",
] as const;
export type CaseEvent = (typeof CASE_EVENTS)[number];

export type Transition = { ok: true; status: CaseStatus } | { ok: false; reason: string };

const OPEN_STATES: readonly CaseStatus[] = [
  "OPEN",
  "VERIFIED",
  "PENDING_APPROVAL",
  "APPROVED",
  "FACTOR_ISSUED",
  "REENROLLED",
];

const TABLE: Partial<Record<CaseEvent, Partial<Record<CaseStatus, CaseStatus>>>> = {
  RECORD_STEP: { OPEN: "OPEN" },
  RAISE_RED_FLAG: {
    OPEN: "OPEN",
    VERIFIED: "VERIFIED",
    PENDING_APPROVAL: "PENDING_APPROVAL",
    APPROVED: "APPROVED",
    FACTOR_ISSUED: "FACTOR_ISSUED",
  },
  CHECKLIST_COMPLETE: { OPEN: "VERIFIED" },
  // A new pass replaces the previous one (which is voided), so FACTOR_ISSUED may issue again.
  ISSUE_TAP: { VERIFIED: "FACTOR_ISSUED", FACTOR_ISSUED: "FACTOR_ISSUED" },
  REQUEST_APPROVAL: { VERIFIED: "PENDING_APPROVAL" },
  APPROVE: { PENDING_APPROVAL: "APPROVED" },
  DENY: { PENDING_APPROVAL: "CLOSED" },
  // An approval that expired or went stale: the agent may ask again.
  EXPIRE_APPROVAL: { PENDING_APPROVAL: "VERIFIED" },
  REENROL: { VERIFIED: "REENROLLED", APPROVED: "REENROLLED", FACTOR_ISSUED: "REENROLLED" },
  REVOKE: Object.fromEntries(OPEN_STATES.map((s) => [s, "REVOKED"])),
  CLOSE: Object.fromEntries([...OPEN_STATES, "REVOKED"].map((s) => [s, "CLOSED"])),
};

export function nextStatus(status: CaseStatus, event: CaseEvent): Transition {
  const to = TABLE[event]?.[status];
  return to
    ? { ok: true, status: to }
    : {
        ok: false,
        reason: `${event.toLowerCase().replace(/_/g, " ")} is not possible when the case is ${status.toLowerCase().replace(/_/g, " ")}`,
      };
}

export function isOpenCase(status: CaseStatus): boolean {
  return status !== "CLOSED" && status !== "REVOKED";
}
