import { describe, expect, it } from "vitest";
import {
  CASE_EVENTS,
  CASE_STATUSES,
  nextStatus,
  type CaseEvent,
  type CaseStatus,
} from "./case-state";

// Every allowed transition; everything else must be refused.
const ALLOWED: Record<string, CaseStatus> = {
  "OPEN RECORD_STEP": "OPEN",
  "OPEN RAISE_RED_FLAG": "OPEN",
  "VERIFIED RAISE_RED_FLAG": "VERIFIED",
  "PENDING_APPROVAL RAISE_RED_FLAG": "PENDING_APPROVAL",
  "APPROVED RAISE_RED_FLAG": "APPROVED",
  "FACTOR_ISSUED RAISE_RED_FLAG": "FACTOR_ISSUED",
  "OPEN CHECKLIST_COMPLETE": "VERIFIED",
  "VERIFIED ISSUE_TAP": "FACTOR_ISSUED",
  "FACTOR_ISSUED ISSUE_TAP": "FACTOR_ISSUED",
  "VERIFIED REQUEST_APPROVAL": "PENDING_APPROVAL",
  "PENDING_APPROVAL APPROVE": "APPROVED",
  "PENDING_APPROVAL DENY": "CLOSED",
  "PENDING_APPROVAL EXPIRE_APPROVAL": "VERIFIED",
  "VERIFIED REENROL": "REENROLLED",
  "APPROVED REENROL": "REENROLLED",
  "FACTOR_ISSUED REENROL": "REENROLLED",
  ...Object.fromEntries(
    ["OPEN", "VERIFIED", "PENDING_APPROVAL", "APPROVED", "FACTOR_ISSUED", "REENROLLED"].map((s) => [
      `${s} REVOKE`,
      "REVOKED",
    ]),
  ),
  ...Object.fromEntries(
    [
      "OPEN",
      "VERIFIED",
      "PENDING_APPROVAL",
      "APPROVED",
      "FACTOR_ISSUED",
      "REENROLLED",
      "REVOKED",
    ].map((s) => [`${s} CLOSE`, "CLOSED"]),
  ),
};

describe("nextStatus", () => {
  for (const status of CASE_STATUSES) {
    for (const event of CASE_EVENTS) {
      const expected = ALLOWED[`${status} ${event}`];
      it(`${status} + ${event} → ${expected ?? "refused"}`, () => {
        const result = nextStatus(status as CaseStatus, event as CaseEvent);
        expect(result).toEqual(
          expected ? { ok: true, status: expected } : { ok: false, reason: expect.any(String) },
        );
      });
    }
  }

  it("never leaves CLOSED", () => {
    for (const event of CASE_EVENTS) expect(nextStatus("CLOSED", event).ok).toBe(false);
  });
});
