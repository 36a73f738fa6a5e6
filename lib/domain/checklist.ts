/**
 * Judges a verification checklist from the recorded step outcomes, never from anything the
 * client claims. Complete means: every required step passed, at least one step of each
 * one-of group passed, and the passed steps together meet one of NIST SP 800-63B-4's AAL2
 * recovery combinations (defence in depth against a policy that forgot one).
 */
import { STEP_ASSURANCE, type StepKind, type VerificationScript } from "./recovery-policy";

export const STEP_OUTCOMES = ["PENDING", "PASSED", "FAILED", "UNABLE"] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

export type RecordedStep = { kind: StepKind; outcome: StepOutcome };

export type MissingItem =
  | { kind: "step"; step: StepKind; title: string }
  | { kind: "group"; group: string; options: StepKind[]; titles: string[] }
  | { kind: "combination" };

export type ChecklistEvaluation = { complete: boolean; missing: MissingItem[] };

export function evaluateChecklist(
  script: VerificationScript,
  recorded: readonly RecordedStep[],
): ChecklistEvaluation {
  const passed = new Set(
    recorded.filter((step) => step.outcome === "PASSED").map((step) => step.kind),
  );
  const missing: MissingItem[] = [];
  const groups = new Map<string, { kind: StepKind; title: string }[]>();
  for (const step of script.steps) {
    if (step.requirement === "required") {
      if (!passed.has(step.kind))
        missing.push({ kind: "step", step: step.kind, title: step.title });
    } else {
      groups.set(step.requirement, [
        ...(groups.get(step.requirement) ?? []),
        { kind: step.kind, title: step.title },
      ]);
    }
  }
  for (const [group, options] of groups) {
    if (!options.some((option) => passed.has(option.kind))) {
      missing.push({
        kind: "group",
        group,
        options: options.map((o) => o.kind),
        titles: options.map((o) => o.title),
      });
    }
  }
  const inScript = [...passed].filter((kind) => script.steps.some((step) => step.kind === kind));
  if (missing.length === 0 && !meetsRecoveryCombination(inScript))
    missing.push({ kind: "combination" });
  return { complete: missing.length === 0, missing };
}

/**
 * NIST SP 800-63B-4 §4.2.2.2 for a help desk: two out-of-band confirmations by different
 * methods; an out-of-band confirmation and a remaining authenticator; or identity proofing
 * together with an out-of-band confirmation. Knowledge never counts.
 */
export function meetsRecoveryCombination(passed: readonly StepKind[]): boolean {
  const outOfBand = passed.filter((kind) => STEP_ASSURANCE[kind] === "out_of_band").length;
  const has = (assurance: string) => passed.some((kind) => STEP_ASSURANCE[kind] === assurance);
  return outOfBand >= 2 || (outOfBand >= 1 && (has("authenticator") || has("proofing")));
}

/** Missing items in words an agent can act on. */
export function describeMissing(item: MissingItem): string {
  switch (item.kind) {
    case "step":
      return item.title;
    case "group":
      return `one of ${item.titles.map((title) => `“${title}”`).join(", ")}`;
    case "combination":
      return "a second, independent kind of proof";
  }
}
