import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/session";
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { ScenarioEditor } from "../_components/scenario-editor";

export const metadata: Metadata = { title: "Add a practice scenario" };

/** A new scenario, started from a built-in one as an example (its key must be changed). */
export default async function NewScenarioPage() {
  await requirePermission("scenarios:write", "/practice/scenarios/new");
  const example = BUILT_IN_SCENARIOS[0];
  const json = example
    ? JSON.stringify({ ...example, key: "new-scenario-key", title: "A new scenario" }, null, 2)
    : "{}";
  return (
    <div className="space-y-6">
      <div>
        <Link href="/practice/scenarios" className="text-sm text-indigo-700 hover:underline">
          ← Practice scenarios
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">Add a practice scenario</h1>
        <p className="mt-1 text-sm text-slate-600">
          Start from the example below: give it a key of its own (lower case, words joined by
          hyphens), then describe the person, the call, the answers to each check and the truth. It
          is checked against the active recovery policy when you save.
        </p>
      </div>
      <ScenarioEditor scenarioKey={null} baseVersion={0} json={json} />
    </div>
  );
}
