import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePermission } from "@/lib/auth/session";
import { formatDateTime } from "@/components/status-badge";
import { runsOf, scenarioHistory } from "@/lib/server/practice/scenario-authoring";
import { ScenarioEditor } from "../_components/scenario-editor";

export const metadata: Metadata = { title: "Edit a practice scenario" };

/**
 * One scenario: its current version in the editor, how many runs played it (and are playing it
 * now), and its history, each version viewable (?version=N) with its note.
 */
export default async function ScenarioPage({
  params,
  searchParams,
}: {
  params: Promise<{ key: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { key } = await params;
  const path = `/practice/scenarios/${encodeURIComponent(key)}`;
  await requirePermission("scenarios:write", path);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(key) || key.length > 80) notFound();
  const history = await scenarioHistory(key);
  const current = history[0];
  if (!current) notFound();
  const { version: raw } = await searchParams;
  const shown = history.find((v) => String(v.version) === raw);
  const runs = await runsOf(key, current.version);
  const title = (current.body as { title?: string }).title ?? key;
  return (
    <div className="space-y-6">
      <div>
        <Link href="/practice/scenarios" className="text-sm text-indigo-700 hover:underline">
          ← Practice scenarios
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">{title}</h1>
        <p className="mt-1 text-sm text-slate-600">
          {key}: version {current.version} is current.
        </p>
      </div>
      <p
        role="note"
        className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
      >
        {runs.total === 0
          ? "No run has played this version yet."
          : `${runs.total} run${runs.total === 1 ? "" : "s"} played version ${current.version}${runs.inProgress ? `, ${runs.inProgress} still in progress` : ""}.`}{" "}
        Saving writes version {current.version + 1}: runs keep the version they played, and new runs
        play the new one. The change and your note show in the history below.
      </p>
      {shown && shown.version !== current.version ? (
        <section aria-labelledby="shown" className="space-y-2">
          <h2 id="shown" className="text-lg font-semibold">
            Version {shown.version} (not current)
          </h2>
          <pre className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-white p-3 text-xs">
            {JSON.stringify(shown.body, null, 2)}
          </pre>
        </section>
      ) : null}
      <section aria-labelledby="edit" className="space-y-2">
        <h2 id="edit" className="text-lg font-semibold">
          Edit version {current.version}
        </h2>
        <ScenarioEditor
          key={current.version}
          scenarioKey={key}
          baseVersion={current.version}
          json={JSON.stringify(current.body, null, 2)}
        />
      </section>
      <section aria-labelledby="history" className="space-y-2">
        <h2 id="history" className="text-lg font-semibold">
          History
        </h2>
        <ol className="space-y-2 text-sm">
          {history.map((v) => (
            <li key={v.version} className="rounded-md border border-slate-200 bg-white p-3">
              <Link
                href={`${path}?version=${v.version}`}
                className="font-medium text-indigo-700 hover:underline"
              >
                Version {v.version}
              </Link>{" "}
              — {v.author}
              {v.at ? `, ${formatDateTime(v.at)}` : ""}
              <span className="block text-slate-700">{v.note}</span>
              <span className="block font-mono text-xs text-slate-500">{v.hash.slice(0, 16)}…</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
