import { describe, expect, it } from "vitest";
import { evaluateChecklist, meetsRecoveryCombination, type RecordedStep } from "./checklist";
import { DEFAULT_POLICY, type StepKind } from "./recovery-policy";

const passed = (...kinds: StepKind[]): RecordedStep[] =>
  kinds.map((kind) => ({ kind, outcome: "PASSED" }));

describe("evaluateChecklist (standard tier)", () => {
  const script = DEFAULT_POLICY.scripts.STANDARD;

  it("names every missing item when nothing is done", () => {
    expect(evaluateChecklist(script, [])).toEqual({
      complete: false,
      missing: [
        { kind: "step", step: "CALLBACK", title: "Call back on the phone of record" },
        { kind: "step", step: "EMPLOYEE_RECORD", title: "Employee record details" },
        {
          kind: "group",
          group: "one-of:second-factor",
          options: ["PASSKEY_PROOF", "MANAGER_CONFIRMATION", "ID_DOCUMENT"],
          titles: ["Sign in with a remaining passkey", "Manager confirms", "Photo ID on video"],
        },
      ],
    });
  });

  it.each([
    [passed("CALLBACK", "EMPLOYEE_RECORD", "MANAGER_CONFIRMATION"), true],
    [passed("CALLBACK", "EMPLOYEE_RECORD", "PASSKEY_PROOF"), true],
    [passed("CALLBACK", "EMPLOYEE_RECORD", "ID_DOCUMENT"), true],
    [passed("CALLBACK", "EMPLOYEE_RECORD"), false],
    [passed("EMPLOYEE_RECORD", "MANAGER_CONFIRMATION", "PASSKEY_PROOF", "ID_DOCUMENT"), false],
    [
      [
        ...passed("CALLBACK", "EMPLOYEE_RECORD"),
        { kind: "MANAGER_CONFIRMATION", outcome: "FAILED" },
      ],
      false,
    ],
    [[...passed("CALLBACK", "EMPLOYEE_RECORD"), { kind: "ID_DOCUMENT", outcome: "UNABLE" }], false],
  ] as [RecordedStep[], boolean][])("%j → complete %s", (steps, complete) => {
    expect(evaluateChecklist(script, steps).complete).toBe(complete);
  });
});

describe("meetsRecoveryCombination (NIST SP 800-63B-4 §4.2.2.2)", () => {
  it.each([
    [["CALLBACK", "MANAGER_CONFIRMATION"], true],
    [["CALLBACK", "PASSKEY_PROOF"], true],
    [["MANAGER_CONFIRMATION", "ID_DOCUMENT"], true],
    [["CALLBACK"], false],
    [["PASSKEY_PROOF", "ID_DOCUMENT"], false],
    [["CALLBACK", "EMPLOYEE_RECORD"], false],
    [["EMPLOYEE_RECORD"], false],
    [[], false],
  ] as [StepKind[], boolean][])("%j → %s", (kinds, ok) => {
    expect(meetsRecoveryCombination(kinds)).toBe(ok);
  });
});
