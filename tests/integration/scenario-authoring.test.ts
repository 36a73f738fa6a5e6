/**
 * Scenario authoring (docs/decisions/032): problems change nothing; a save writes the next
 * version, audited; an edit from an old version, or the loser of two concurrent saves, is refused
 * "changed meanwhile"; keys do not clash; only security reviewers write.
 */
import { describe, expect, it } from "vitest";
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { scenarioHash } from "@/lib/domain/practice/scenario";
import { listScenarios } from "@/lib/server/practice/scenarios";
import { saveScenario, scenarioHistory, runsOf } from "@/lib/server/practice/scenario-authoring";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

// An impostor: making its safe outcome "recover" is a problem the checks must name.
const builtIn = BUILT_IN_SCENARIOS.find((scenario) => scenario.key === "urgent-admin-new-number")!;
const text = (changes: Record<string, unknown> = {}) => JSON.stringify({ ...builtIn, ...changes });

const versionsOf = (key: string) => db.practiceScenarioVersion.count({ where: { key } });

describe("saving a scenario", () => {
  it("problems are answered by path and nothing is saved", async () => {
    const reviewer = await actor("SECURITY");
    const broken = await saveScenario({
      actor: reviewer,
      key: builtIn.key,
      baseVersion: 1,
      text: text({ safe: { ...builtIn.safe, outcome: "recover" }, title: "" }),
      note: "Try it",
    });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problems.map((p) => p.path)).toContain("title");
    const semantic = await saveScenario({
      actor: reviewer,
      key: builtIn.key,
      baseVersion: 1,
      text: text({ safe: { ...builtIn.safe, outcome: "recover" } }),
      note: "Try it",
    });
    expect(!semantic.ok && semantic.problems).toContainEqual({
      path: "safe.outcome",
      message: expect.stringContaining("An impostor is never recovered"),
    });
    const notJson = await saveScenario({
      actor: reviewer,
      key: builtIn.key,
      baseVersion: 1,
      text: "{ not json",
      note: "Try it",
    });
    expect(!notJson.ok && notJson.problems[0]!.message).toContain("not valid JSON");
    const noNote = await saveScenario({
      actor: reviewer,
      key: builtIn.key,
      baseVersion: 1,
      text: text({ title: "Changed" }),
      note: " ",
    });
    expect(!noNote.ok && noNote.problems.map((p) => p.path)).toEqual(["note"]);
    expect(await versionsOf(builtIn.key)).toBe(0);
    expect(await db.auditEvent.count({ where: { action: { startsWith: "scenario." } } })).toBe(0);
  });

  it("revising a built-in writes version 2, audited with key, version, hash and note (never the body)", async () => {
    const reviewer = await actor("SECURITY");
    const result = await saveScenario({
      actor: reviewer,
      key: builtIn.key,
      baseVersion: 1,
      text: text({ title: "The administrator on a new phone (airport)" }),
      note: "Names the airport, as the 2023 callers did",
    });
    expect(result).toMatchObject({ ok: true, key: builtIn.key, version: 2 });
    const row = await db.practiceScenarioVersion.findFirstOrThrow({ where: { key: builtIn.key } });
    expect(row).toMatchObject({ version: 2, authorId: reviewer.id });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "scenario.revised" } });
    expect(event.data).toEqual({
      key: builtIn.key,
      version: 2,
      hash: row.bodyHash,
      note: "Names the airport, as the 2023 callers did",
      previousHash: scenarioHash(builtIn),
    });
    // The library now plays version 2; the history keeps both, with notes.
    const library = await listScenarios();
    expect(library.find((e) => e.scenario.key === builtIn.key)).toMatchObject({ version: 2 });
    const history = await scenarioHistory(builtIn.key);
    expect(history.map((v) => v.version)).toEqual([2, 1]);

    // An edit begun on version 1 is refused now: it changed meanwhile. Audited, nothing written.
    await expect(
      saveScenario({
        actor: reviewer,
        key: builtIn.key,
        baseVersion: 1,
        text: text({ title: "Another title" }),
        note: "Stale edit",
      }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage: expect.stringContaining("changed meanwhile"),
    });
    expect(await versionsOf(builtIn.key)).toBe(1);
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { action: "scenario.save_refused" } }),
    ).toMatchObject({ outcome: "REFUSED", reason: "CONFLICT" });
  });

  it("two reviewers saving the same version at once: one is saved, the other refused", async () => {
    const a = await actor("SECURITY");
    const b = await actor("SECURITY");
    const key = "concurrent-edit";
    await saveScenario({
      actor: a,
      key: null,
      baseVersion: 0,
      text: text({ key }),
      note: "First version",
    });
    const results = await Promise.allSettled([
      saveScenario({
        actor: a,
        key,
        baseVersion: 1,
        text: text({ key, title: "A's" }),
        note: "A's change",
      }),
      saveScenario({
        actor: b,
        key,
        baseVersion: 1,
        text: text({ key, title: "B's" }),
        note: "B's change",
      }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled").map((r) => r.value)).toEqual([
      expect.objectContaining({ ok: true, version: 2 }),
    ]);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: "CONFLICT" });
    expect(await versionsOf(key)).toBe(2);
  });

  it("a new scenario is version 1 (audited as created); its key may not clash", async () => {
    const reviewer = await actor("SECURITY");
    const created = await saveScenario({
      actor: reviewer,
      key: null,
      baseVersion: 0,
      text: text({ key: "brand-new-scenario" }),
      note: "A first version",
    });
    expect(created).toMatchObject({ ok: true, version: 1 });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { action: "scenario.created", targetId: "brand-new-scenario" },
      }),
    ).toMatchObject({ outcome: "ALLOWED" });
    for (const key of ["brand-new-scenario", builtIn.key]) {
      const clash = await saveScenario({
        actor: reviewer,
        key: null,
        baseVersion: 0,
        text: text({ key, title: "Clash" }),
        note: "Clash",
      });
      expect(!clash.ok && clash.problems[0]).toMatchObject({ path: "key" });
    }
    // An edit cannot change the key.
    const renamed = await saveScenario({
      actor: reviewer,
      key: "brand-new-scenario",
      baseVersion: 1,
      text: text({ key: "renamed" }),
      note: "Rename",
    });
    expect(!renamed.ok && renamed.problems[0]).toMatchObject({ path: "key" });
  });

  it.each(["AGENT", "SUPERVISOR"] as const)(
    "a %s is refused and nothing is written",
    async (role) => {
      const who = await actor(role);
      await expect(
        saveScenario({
          actor: who,
          key: null,
          baseVersion: 0,
          text: text({ key: `by-${role.toLowerCase()}` }),
          note: "Mine",
        }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await versionsOf(`by-${role.toLowerCase()}`)).toBe(0);
    },
  );

  it("counts the runs that played a version, and those in progress", async () => {
    const player = await actor("AGENT");
    const run = (finished: boolean) =>
      db.practiceRun.create({
        data: {
          staffId: player.id,
          scenarioKey: "counted",
          scenarioVersion: 1,
          scenario: {},
          scenarioHash: "0".repeat(64),
          impostor: true,
          policyVersion: 2,
          finishedAt: finished ? new Date() : null,
        },
      });
    await run(true);
    await run(false);
    await run(false);
    expect(await runsOf("counted", 1)).toEqual({ total: 3, inProgress: 2 });
  });
});
