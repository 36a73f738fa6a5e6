/**
 * The built-in scenario library: version 1 of each built-in practice call (docs/decisions/030 and
 * docs/practice-scenarios.md for the sources). Security reviewers add later versions in the
 * console; a built-in here is never edited in place (its hash is pinned by
 * lib/domain/practice/library.test.ts), only joined by new ones.
 */
import { POLICY_V2 } from "../../recovery-policy";
import { parseScenario, type Scenario, type ScenarioInput } from "../scenario";
import { urgentAdminNewNumber } from "./urgent-admin-new-number";

const LIBRARY: readonly ScenarioInput[] = [urgentAdminNewNumber];

function checked(input: ScenarioInput): Scenario {
  const parsed = parseScenario(input, POLICY_V2);
  if (!parsed.ok)
    throw new Error(
      `Built-in scenario ${input.key} is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
    );
  return parsed.scenario;
}

/** Version 1 of every built-in scenario, validated at load (a broken one fails every test). */
export const BUILT_IN_SCENARIOS: readonly Scenario[] = LIBRARY.map(checked);
