import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/session";
import { formatDateTime } from "@/components/status-badge";
import { scenarioLibrary } from "@/lib/server/practice/scenario-authoring";

export const metadata: Metadata = { title: "Practice scenarios" };

/**
 * The practice library for security reviewers (docs/decisions/032): each scenario's current
 * version, where it came from, its last change note, and how many runs played that version.
 */
export default async function ScenariosPage() {
  await requirePermission("scenarios:write", "/practice/scenarios");
  const library = await scenarioLibrary();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Practice scenarios</h1>
        <Link
          href="/practice/scenarios/new"
          className="rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800"
        >
          Add a scenario
        </Link>
      </div>
      <p className="text-sm text-slate-600">
        Every save writes the next version; no version is ever changed. Runs keep the version they
        played, so a change shows here and in each scenario’s history, never silently.
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Scenarios, with their current version and use</caption>
          <thead className="bg-slate-50 text-xs text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2">
                Scenario
              </th>
              <th scope="col" className="px-3 py-2">
                Caller
              </th>
              <th scope="col" className="px-3 py-2">
                Version
              </th>
              <th scope="col" className="px-3 py-2">
                Last change
              </th>
              <th scope="col" className="px-3 py-2">
                Runs of this version
              </th>
            </tr>
          </thead>
          <tbody>
            {library.map((entry) => (
              <tr key={entry.scenario.key} className="border-t border-slate-200">
                <td className="px-3 py-2">
                  <Link
                    href={`/practice/scenarios/${entry.scenario.key}`}
                    className="font-medium text-indigo-700 hover:underline"
                  >
                    {entry.scenario.title}
                  </Link>
                  <span className="block text-xs text-slate-600">{entry.scenario.key}</span>
                </td>
                <td className="px-3 py-2">
                  {entry.scenario.truth.caller === "impostor" ? "Impostor" : "Genuine"}
                </td>
                <td className="px-3 py-2">
                  {entry.version} ({entry.origin.kind === "built-in" ? "built in" : "authored"})
                </td>
                <td className="px-3 py-2">
                  {entry.origin.kind === "authored"
                    ? `${entry.origin.note} (${formatDateTime(entry.origin.at)})`
                    : "As built in"}
                </td>
                <td className="px-3 py-2">
                  {entry.runs.total}
                  {entry.runs.inProgress > 0 ? `, ${entry.runs.inProgress} in progress` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
