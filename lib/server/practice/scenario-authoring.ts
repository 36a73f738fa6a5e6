import "server-only";
/**
 * Scenario authoring by security reviewers (docs/decisions/032). Every save writes the next
 * version of a scenario and never changes one; runs keep the version (and the body) they played.
 *
 * - The text is parsed and checked against the active policy (`parseScenario`): on a problem
 *   nothing is saved and the problems are answered by path.
 * - The version the author started from travels with the form: if the scenario changed meanwhile
 *   (another reviewer saved, or two saves race), the save is refused, audited, and nothing is
 *   written. Saves of one key are serialised by an advisory lock on it, and (key, version) is
 *   unique besides.
 * - A new key must not clash with a built-in or a stored one; an edit cannot change the key.
 */
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { parseScenario, scenarioHash, type ScenarioProblem } from "@/lib/domain/practice/scenario";
import { DomainError } from "@/lib/domain/errors";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { auditedTransaction, recordAudit, staffActor, type Tx } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { listScenarios } from "./scenarios";

export type SaveScenarioResult =
  | { ok: true; key: string; version: number; hash: string }
  | { ok: false; problems: ScenarioProblem[] };

/** The newest version of a key as it stands (0: none), and its hash. */
async function currentVersion(tx: Tx, key: string) {
  const stored = await tx.practiceScenarioVersion.findFirst({
    where: { key },
    orderBy: { version: "desc" },
    select: { version: true, bodyHash: true },
  });
  if (stored) return { version: stored.version, hash: stored.bodyHash };
  const builtIn = BUILT_IN_SCENARIOS.find((scenario) => scenario.key === key);
  return builtIn ? { version: 1, hash: scenarioHash(builtIn) } : { version: 0, hash: null };
}

/**
 * Saves a scenario: a new one (`baseVersion` 0) or the next version of `key` (`baseVersion`: the
 * version the author edited). `text` is the scenario's JSON as typed.
 */
export async function saveScenario(input: {
  actor: CurrentStaff;
  /** The key edited, or null for a new scenario. */
  key: string | null;
  baseVersion: number;
  text: string;
  note: string;
  request?: RequestContext;
}): Promise<SaveScenarioResult> {
  if (!can(input.actor.role, "scenarios:write"))
    throw new DomainError("FORBIDDEN", "Only security reviewers add and edit scenarios.");
  const problems: ScenarioProblem[] = [];
  const note = input.note.trim();
  if (note.length < 3)
    problems.push({ path: "note", message: "Say what changed and why (a few words at least)." });
  if (note.length > 300)
    problems.push({ path: "note", message: "Keep the note under 300 characters." });
  let json: unknown;
  try {
    json = JSON.parse(input.text);
  } catch (error) {
    problems.push({
      path: "",
      message: `This is not valid JSON: ${error instanceof Error ? error.message : "it cannot be read"}.`,
    });
    return { ok: false, problems };
  }
  const parsed = parseScenario(json, ACTIVE_POLICY);
  if (!parsed.ok) return { ok: false, problems: [...problems, ...parsed.problems] };
  const scenario = parsed.scenario;
  if (input.key !== null && scenario.key !== input.key)
    problems.push({
      path: "key",
      message: `The key of a scenario cannot change (it is “${input.key}”). To make another scenario, add a new one.`,
    });
  if (problems.length) return { ok: false, problems };
  const hash = scenarioHash(scenario);
  const actor = staffActor(input.actor);

  type Saved =
    | { kind: "saved"; version: number }
    | { kind: "problems"; problems: ScenarioProblem[] }
    | { kind: "refused"; code: "CONFLICT"; detail: string };
  const outcome = await auditedTransaction(db, async (tx): Promise<Saved> => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`scenario:${scenario.key}`}, 0))`;
    const current = await currentVersion(tx, scenario.key);
    const refuse = async (detail: string, code: "CONFLICT"): Promise<Saved> => {
      await recordAudit(tx, {
        action: "scenario.save_refused",
        outcome: "REFUSED",
        reason: code,
        actor,
        target: { type: "practice_scenario", id: scenario.key },
        data: { key: scenario.key, baseVersion: input.baseVersion, detail },
        request: input.request,
      });
      return { kind: "refused", code, detail };
    };
    if (input.key === null && current.version > 0)
      return {
        kind: "problems",
        problems: [
          {
            path: "key",
            message: `A scenario with the key “${scenario.key}” exists already: choose another key, or edit that one.`,
          },
        ],
      };
    if (current.version !== input.baseVersion)
      return refuse(
        `The scenario changed meanwhile: version ${current.version} is now the newest, and this edit started from version ${input.baseVersion}. Open it again, and make your change on the newest version.`,
        "CONFLICT",
      );
    if (current.hash === hash)
      return {
        kind: "problems",
        problems: [{ path: "", message: "Nothing changed: this is the current version as it is." }],
      };
    const version = current.version + 1;
    await tx.practiceScenarioVersion.create({
      data: {
        key: scenario.key,
        version,
        body: scenario,
        bodyHash: hash,
        note,
        authorId: input.actor.id,
      },
    });
    if (version === 1)
      await recordAudit(tx, {
        action: "scenario.created",
        outcome: "ALLOWED",
        actor,
        target: { type: "practice_scenario", id: scenario.key },
        data: { key: scenario.key, version, hash, note },
        request: input.request,
      });
    else
      await recordAudit(tx, {
        action: "scenario.revised",
        outcome: "ALLOWED",
        actor,
        target: { type: "practice_scenario", id: scenario.key },
        data: { key: scenario.key, version, hash, note, previousHash: current.hash! },
        request: input.request,
      });
    return { kind: "saved", version };
  });
  if (outcome.kind === "refused") throw new DomainError(outcome.code, outcome.detail);
  if (outcome.kind === "problems") return { ok: false, problems: outcome.problems };
  return { ok: true, key: scenario.key, version: outcome.version, hash };
}

/** How many runs played a version of a scenario, and how many of them are still in progress. */
export async function runsOf(key: string, version: number) {
  const [total, inProgress] = await Promise.all([
    db.practiceRun.count({ where: { scenarioKey: key, scenarioVersion: version } }),
    db.practiceRun.count({
      where: { scenarioKey: key, scenarioVersion: version, finishedAt: null },
    }),
  ]);
  return { total, inProgress };
}

/** The library as the authoring page lists it: each scenario's newest version and its use. */
export async function scenarioLibrary() {
  const entries = await listScenarios();
  return Promise.all(
    entries.map(async (entry) => ({
      ...entry,
      runs: await runsOf(entry.scenario.key, entry.version),
    })),
  );
}

/** A scenario's versions, newest first: the built-in version 1 if any, and every stored one. */
export async function scenarioHistory(key: string) {
  const stored = await db.practiceScenarioVersion.findMany({
    where: { key },
    orderBy: { version: "desc" },
    select: {
      version: true,
      body: true,
      bodyHash: true,
      note: true,
      createdAt: true,
      author: { select: { name: true } },
    },
  });
  const builtIn = BUILT_IN_SCENARIOS.find((scenario) => scenario.key === key);
  const versions = stored.map((row) => ({
    version: row.version,
    body: row.body as unknown,
    hash: row.bodyHash,
    note: row.note,
    at: row.createdAt as Date | null,
    author: row.author.name,
  }));
  if (builtIn && !versions.some((v) => v.version === 1))
    versions.push({
      version: 1,
      body: builtIn,
      hash: scenarioHash(builtIn),
      note: "Built in (the console's library).",
      at: null,
      author: "built in",
    });
  return versions;
}
