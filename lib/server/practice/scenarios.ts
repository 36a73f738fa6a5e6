import "server-only";
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { ScenarioSchema, scenarioHash, type Scenario } from "@/lib/domain/practice/scenario";
import { db } from "@/lib/db";
import type { Tx } from "../audit";

export type LibraryScenario = {
  scenario: Scenario;
  version: number;
  hash: string;
  /** "built-in" for version 1 from the code's library, else the console's author. */
  origin: { kind: "built-in" } | { kind: "authored"; authorId: string; note: string; at: Date };
};

const builtIn = (scenario: Scenario): LibraryScenario => ({
  scenario,
  version: 1,
  hash: scenarioHash(scenario),
  origin: { kind: "built-in" },
});

/**
 * The practice library as it stands: for each key, its newest version (a version written in the
 * console, else the built-in version 1). Stored versions were validated when written; they are
 * parsed again here so that a row changed behind the console's back is not played.
 */
export async function listScenarios(client: Tx | typeof db = db): Promise<LibraryScenario[]> {
  const rows = await client.practiceScenarioVersion.findMany({
    orderBy: [{ key: "asc" }, { version: "desc" }],
    distinct: ["key"],
  });
  const latest = new Map<string, LibraryScenario>(
    BUILT_IN_SCENARIOS.map((scenario) => [scenario.key, builtIn(scenario)]),
  );
  for (const row of rows) {
    const parsed = ScenarioSchema.safeParse(row.body);
    if (
      !parsed.success ||
      scenarioHash(parsed.data) !== row.bodyHash ||
      parsed.data.key !== row.key
    )
      continue;
    latest.set(row.key, {
      scenario: parsed.data,
      version: row.version,
      hash: row.bodyHash,
      origin: { kind: "authored", authorId: row.authorId, note: row.note, at: row.createdAt },
    });
  }
  return [...latest.values()].sort((a, b) => a.scenario.title.localeCompare(b.scenario.title));
}

/** The newest version of one scenario, or null. */
export async function findScenario(
  key: string,
  client: Tx | typeof db = db,
): Promise<LibraryScenario | null> {
  return (await listScenarios(client)).find((entry) => entry.scenario.key === key) ?? null;
}
