import { describe, expect, it } from "vitest";
import { AUDIT_PAYLOAD_EXAMPLES } from "@/tests/ocsf";
import { AUDIT_ACTIONS, parseAuditPayload, type AuditAction } from "./audit-actions";
import {
  AUDIT_READ_ACTIONS,
  AUDIT_WORDS,
  auditActionLabel,
  auditDetailLines,
  auditSubjectLines,
  filtersSummary,
  isAuditRead,
  refusalLabel,
  voidedSummary,
} from "./audit-labels";

const ACTIONS = Object.keys(AUDIT_ACTIONS) as AuditAction[];
/** A code as the trail stores it (PASSED, STOLEN_DEVICE, step.recorded): never what a person reads. */
const RAW_CODE = /\b[A-Z]{2,}(_[A-Z]+)*\b|\b[a-z]+\.[a-z_]+\b|[{}]/;

describe("the audit trail in words", () => {
  it("has a plain-English label for every action of the vocabulary, each its own", () => {
    // An action added to audit-actions.ts without words here fails this test (and the type check).
    const missing = ACTIONS.filter((action) => !Object.hasOwn(AUDIT_WORDS, action));
    expect(missing).toEqual([]);
    expect(Object.keys(AUDIT_WORDS).sort()).toEqual([...ACTIONS].sort());
    const labels = ACTIONS.map(auditActionLabel);
    expect(new Set(labels).size).toBe(labels.length);
    for (const [i, label] of labels.entries()) {
      expect(label, ACTIONS[i]).toMatch(/^[A-Z“]/);
      expect(label, ACTIONS[i]).not.toMatch(RAW_CODE);
    }
    expect(auditActionLabel("step.recorded")).toBe("Checklist step recorded");
  });

  it("turns every action's payload into readable lines, with no raw codes or JSON", () => {
    for (const action of ACTIONS) {
      const data = parseAuditPayload(action, AUDIT_PAYLOAD_EXAMPLES[action] as never);
      const lines = auditDetailLines(action, JSON.parse(JSON.stringify(data)));
      if (action !== "staff.signed_out") expect(lines.length, action).toBeGreaterThan(0);
      for (const { label, value } of lines) {
        expect(label, action).toMatch(/^[A-Z]/);
        expect(value, `${action}: ${label}`).not.toBe("");
        // Free text and addresses are shown as written; enum values and flags are words.
        if (
          ![
            "Note",
            "Why",
            "Reason",
            "Problem",
            "Flagged",
            "Email",
            "Page or action",
            "Page",
          ].includes(label)
        )
          expect(`${label}: ${value}`, action).not.toMatch(
            /\b[A-Z]{2,}(_[A-Z]+)+\b|\bPASSED\b|\bFAILED\b|\btrue\b|\bfalse\b|[{}]/,
          );
      }
    }
  });

  it("says what a checklist step recorded: the step, its outcome, whether the checklist is complete, the note", () => {
    expect(
      auditDetailLines("step.recorded", {
        step: "CALLBACK",
        outcome: "PASSED",
        complete: false,
        note: "Answered on the number of record",
      }),
    ).toEqual([
      { label: "Step", value: "Callback to the phone of record" },
      { label: "Outcome", value: "passed" },
      { label: "Checklist complete", value: "no" },
      { label: "Note", value: "Answered on the number of record" },
    ]);
    // An empty note says nothing; what a failed step voided is counted in words.
    expect(
      auditDetailLines("step.recorded", {
        step: "ID_DOCUMENT",
        outcome: "FAILED",
        complete: false,
        note: "",
        voided: {
          passes: 1,
          passSessions: 0,
          enrolmentLinks: 0,
          stepLinks: 2,
          approvals: 0,
          challenges: 0,
        },
      }),
    ).toEqual([
      { label: "Step", value: "Photo ID on video" },
      { label: "Outcome", value: "failed" },
      { label: "Checklist complete", value: "no" },
      { label: "Voided", value: "1 pass, 2 step links" },
    ]);
  });

  it("names the reason, the channel and the revocation in words", () => {
    expect(
      auditDetailLines("case.opened", {
        reason: "STOLEN_DEVICE",
        channel: "WALK_IN",
        scriptKey: "standard",
        policyVersion: 1,
        repeatCall: 2,
        needsApproval: true,
      }),
    ).toEqual([
      { label: "Reason", value: "Stolen device" },
      { label: "Channel", value: "Walk-in" },
      { label: "Script", value: "standard, policy v1" },
      { label: "Repeat call", value: "call 2 in the policy's window" },
      { label: "Needs a supervisor's approval", value: "yes" },
    ]);
    expect(
      auditDetailLines("passkey.revoked", {
        scope: "ALL",
        reason: "STOLEN",
        revokedPasskeys: 2,
        voidedPasses: 1,
        voidedLinks: 0,
        voidedApprovals: 0,
        endedSessions: 1,
      }),
    ).toEqual([
      { label: "Scope", value: "all of the person's passkeys" },
      { label: "Reason", value: "Stolen" },
      { label: "Passkeys revoked", value: "2" },
      { label: "Sessions ended", value: "1" },
      { label: "Voided", value: "1 pass" },
    ]);
  });

  it("shows a reviewer's filters with the action's label", () => {
    expect(
      auditDetailLines("audit.viewed", {
        filters: { action: "step.recorded", outcome: "REFUSED", from: "2026-11-01" },
        verified: false,
      }),
    ).toEqual([
      {
        label: "Filters",
        value: "action: Checklist step recorded; outcome: refused; from: 2026-11-01",
      },
    ]);
    expect(filtersSummary({})).toBe("none (the whole trail)");
    expect(filtersSummary({ caseId: "6d2f4c1e-8a3b-4c5d-9e6f-7a8b9c0d1e2f" })).toBe(
      "case: 6d2f4c1e…",
    );
  });

  it("still shows a row whose payload does not parse, or whose action is unknown, field by field", () => {
    // An older payload shape (or a planted row): nothing is lost, nothing throws.
    expect(auditDetailLines("step.recorded", { step: "CALLBACK", legacyField: 3 })).toEqual([
      { label: "Step", value: "CALLBACK" },
      { label: "Legacy field", value: "3" },
    ]);
    expect(auditActionLabel("case.teleported")).toBe("Unknown action (case.teleported)");
    expect(auditDetailLines("case.teleported", { to_where: { x: 1 } })).toEqual([
      { label: "To where", value: '{"x":1}' },
    ]);
    expect(auditDetailLines("case.teleported", null)).toEqual([{ label: "Data", value: "null" }]);
  });

  it("never shows characters that hide or reorder text (a planted row's bidi override)", () => {
    const [why] = auditDetailLines("tap.redeem_refused", { detail: "abc\u202Edef\u200Bghi" });
    expect(why).toEqual({ label: "Why", value: "abc\uFFFDdef\uFFFDghi" });
    const [raw] = auditDetailLines("no.such", { note: "x\u2066y" });
    expect(raw!.value).toBe("x\uFFFDy");
    // A multi-line note keeps its line breaks.
    const lines = auditDetailLines("step.corrected", {
      step: "CALLBACK",
      from: "FAILED",
      note: "first\nsecond",
      clearedHolds: 0,
    });
    expect(lines).toContainEqual({ label: "Note", value: "first\nsecond" });
  });

  it("names the user and the case a row is about, with links to their pages", () => {
    const userId = "11111111-2222-4333-8444-555555555555";
    const caseId = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    expect(
      auditSubjectLines({ subjectUserId: userId, caseId }, new Map([[userId, "Ada Lovelace"]])),
    ).toEqual([
      { label: "User", value: "Ada Lovelace", href: `/users/${userId}` },
      { label: "Case", value: "aaaaaaaa…", href: `/cases/${caseId}` },
    ]);
    expect(auditSubjectLines({ subjectUserId: userId, caseId: null }, new Map())).toEqual([
      { label: "User", value: "11111111…", href: `/users/${userId}` },
    ]);
    expect(auditSubjectLines({ subjectUserId: null, caseId: null }, new Map())).toEqual([]);
  });

  it("says why something was refused in words", () => {
    expect(refusalLabel("FORBIDDEN")).toBe("refused: not allowed for this role or team");
    expect(refusalLabel("STEP_UP_REQUIRED")).toBe("refused: needs a fresh confirmation (step-up)");
    expect(refusalLabel("SOMETHING_NEW")).toBe("refused: something new");
    expect(refusalLabel(null)).toBe("refused");
  });

  it("counts what was voided", () => {
    const none = {
      passes: 0,
      passSessions: 0,
      enrolmentLinks: 0,
      stepLinks: 0,
      approvals: 0,
      challenges: 0,
    };
    expect(voidedSummary(none)).toBe("nothing");
    expect(voidedSummary({ ...none, passes: 2, approvals: 1, challenges: 1 })).toBe(
      "2 passes, 1 approval, 1 passkey challenge",
    );
    // Counted since decision 044; events recorded before it have no such count.
    expect(voidedSummary({ ...none, codeSessions: 1, challenges: 2 })).toBe(
      "1 recovery code session, 2 passkey challenges",
    );
  });

  it("knows which actions are reads of the trail (hidden by default), all of them in the vocabulary", () => {
    for (const action of AUDIT_READ_ACTIONS) expect(ACTIONS).toContain(action);
    expect(isAuditRead("audit.viewed")).toBe(true);
    expect(isAuditRead("audit.exported")).toBe(true);
    expect(isAuditRead("audit.verification_requested")).toBe(true);
    // What a verification found, and every decision, stays in view.
    for (const action of [
      "audit.verified",
      "audit.integrity_alert",
      "passkey.revoked",
      "access.denied",
    ])
      expect(isAuditRead(action), action).toBe(false);
  });
});
