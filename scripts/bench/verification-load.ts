/**
 * Page latency while a full verification runs (issue: "no stalls from verification"): a user's
 * page over HTTP, quiet, then while the verification worker (scripts/audit-worker.ts, a process
 * of its own) verifies the whole log paced as configured (AUDIT_VERIFY_DUTY), then unpaced, each
 * beside the floor (GET /healthz) measured in the same phase. The aim: within 1.2× of quiet.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { parseDuty } from "../../lib/domain/verification-runs.ts";
import { closeAbandonedRuns, requestFullVerification } from "../../lib/server/verification-runs.ts";
import { fmt, load, percentile, sample, type BenchContext } from "./common.ts";

const root = path.resolve(import.meta.dirname, "../..");

export async function run(ctx: BenchContext) {
  if (!ctx.baseUrl || !ctx.cookie)
    return console.log(
      "\npage latency during a verification: needs the console over HTTP, skipped",
    );
  const user = await ctx.db.workforceUser.findFirstOrThrow({
    where: { passkeys: { some: {} } },
    select: { id: true },
  });
  const get = (route: string) => async () => {
    const response = await fetch(`${ctx.baseUrl}${route}`, { headers: { cookie: ctx.cookie! } });
    if (response.status !== 200) throw new Error(`${route}: HTTP ${response.status}`);
    await response.arrayBuffer();
  };
  const userPage = get(`/users/${user.id}`);
  const floor = get("/healthz");
  const RUNS = 60;
  const phase = async () => ({
    page: await sample(userPage, RUNS),
    floor: await sample(floor, RUNS),
  });

  const duty = parseDuty(process.env.AUDIT_VERIFY_DUTY);
  console.log(
    `\npage latency while the verification worker verifies the whole log (${RUNS} requests each, one at a time; ${load()})`,
  );
  const quiet = await phase();
  const rows: [string, Awaited<ReturnType<typeof phase>>, string][] = [["quiet", quiet, ""]];
  for (const [label, value] of [
    [`paced (duty ${duty})`, String(duty)],
    ["unpaced (duty 1)", "1"],
  ] as const) {
    const running = await startVerification(ctx, value);
    const before = await progress(ctx, running.runId);
    const started = performance.now();
    const during = await phase();
    const seconds = (performance.now() - started) / 1000;
    const after = await progress(ctx, running.runId);
    await running.stop();
    rows.push([
      label,
      during,
      `verifying ${fmt((after - before) / seconds)} rows/s meanwhile${after === before ? " (did not progress: is the log tiny?)" : ""}`,
    ]);
  }
  const quietP50 = percentile(quiet.page, 50);
  const quietP95 = percentile(quiet.page, 95);
  for (const [label, result, note] of rows) {
    const p50 = percentile(result.page, 50);
    const p95 = percentile(result.page, 95);
    console.log(
      `  ${label.padEnd(18)} user page p50 ${p50.toFixed(1).padStart(6)} ms (${(p50 / quietP50).toFixed(2)}× quiet)  p95 ${p95.toFixed(1).padStart(6)} ms (${(p95 / quietP95).toFixed(2)}× quiet)   floor /healthz p50 ${percentile(result.floor, 50).toFixed(1)} ms  ${note}`,
    );
  }
}

/** Queues a full run and starts a worker for it; resolves once the worker has claimed it. */
async function startVerification(ctx: BenchContext, duty: string) {
  await closeAbandonedRuns(ctx.db);
  // A run left open by an earlier, interrupted benchmark is closed first.
  await ctx.db.auditVerification.updateMany({
    where: { kind: "full", finishedAt: null },
    data: { finishedAt: new Date() },
  });
  const outcome = await requestFullVerification(ctx.db, {
    actor: { type: "SYSTEM", name: "npm run benchmark" },
    requestedBy: null,
  });
  const worker: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx/esm", path.join(root, "scripts/audit-worker.ts")],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        DATABASE_URL: ctx.databaseUrl,
        AUDIT_VERIFY_DUTY: duty,
        AUDIT_FULL_VERIFY_HOURS: "0",
      },
    },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await ctx.db.auditVerification.findUniqueOrThrow({
      where: { id: outcome.runId },
    });
    if (run.startedAt && run.checked > 0n) break;
    if (Date.now() > deadline) throw new Error("the verification worker did not start the run");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    runId: outcome.runId,
    stop: async () => {
      worker.kill("SIGTERM");
      await new Promise((resolve) => worker.once("exit", resolve));
      await ctx.db.auditVerification.update({
        where: { id: outcome.runId },
        data: {
          finishedAt: new Date(),
          problems: [{ id: "?", position: null, problem: "stopped by the benchmark" }],
        },
      });
    },
  };
}

async function progress(ctx: BenchContext, runId: string) {
  const run = await ctx.db.auditVerification.findUniqueOrThrow({ where: { id: runId } });
  return Number(run.checked);
}
