"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { saveScenarioAction } from "../actions";

const field = "mt-1 w-full rounded-md border border-slate-500 bg-white px-3 py-2 text-sm";

/**
 * The scenario's JSON, checked by the server against the active policy when saved (problems come
 * back by path and nothing is saved), with the note every version carries. The version it
 * started from travels with the form: a scenario changed meanwhile is refused, never overwritten.
 */
export function ScenarioEditor({
  scenarioKey,
  baseVersion,
  json,
}: {
  scenarioKey: string | null;
  baseVersion: number;
  json: string;
}) {
  return (
    <ActionForm action={saveScenarioAction} label="Save the scenario" className="space-y-3">
      {(pending) => (
        <>
          <input type="hidden" name="key" value={scenarioKey ?? ""} />
          <input type="hidden" name="baseVersion" value={baseVersion} />
          <label htmlFor="scenario-json" className="block text-sm font-medium text-slate-800">
            The scenario (JSON)
          </label>
          <textarea
            id="scenario-json"
            name="text"
            rows={28}
            defaultValue={json}
            spellCheck={false}
            className={`${field} font-mono text-xs`}
          />
          <label htmlFor="scenario-note" className="block text-sm font-medium text-slate-800">
            What changed and why (kept with the version)
          </label>
          <input
            id="scenario-note"
            name="note"
            maxLength={300}
            required
            autoComplete="off"
            className={field}
          />
          <Button type="submit" disabled={pending}>
            {scenarioKey ? `Save as version ${baseVersion + 1}` : "Add the scenario"}
          </Button>
        </>
      )}
    </ActionForm>
  );
}
