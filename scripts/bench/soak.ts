/**
 * The soak of `npm run benchmark:soak` (scripts/benchmark-soak.ts): SOAK_AGENTS simulated agents
 * (default 50), SOAK_SUPERVISORS supervisors (4) and SOAK_REVIEWERS security reviewers (2), split
 * over the consoles, each looping over the desk's work (scripts/bench/soak-core.ts CALL_MIX) for
 * SOAK_SECONDS (600), with SOAK_THINK_MS (100) of think time on average between requests.
 *
 * Pages are read with GET as a browser navigates; server actions are called as the browser calls
 * them (POST to the page's URL with `Next-Action: <id>` and the reply-encoded form), their ids
 * read from the build's manifest. What a form submits is taken from the page the agent is on, as
 * the browser would (the approvals waiting, the open cases a repeat call acknowledges, the
 * passkeys revoke-all names). Each simulated person signs in once: their session is made in
 * the database as the other benchmark sections make theirs (scripts/bench/setup.ts benchSession),
 * with a step-up (decision 015) that the harness keeps fresh, so the staff passkey ceremony
 * itself is not part of the figures.
 *
 * At the end: the audit log's chain and signatures are verified (lib/server/verify-audit-log.ts,
 * what `npm run audit:verify` walks), and every acknowledged action's event is looked up.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { trustedEventKeys } from "../../lib/server/audit-keys.ts";
import { verifyAuditLog } from "../../lib/server/verify-audit-log.ts";
import { benchSession } from "./setup.ts";
import { fmt, type BenchContext } from "./common.ts";
import {
  actionBody,
  actionIds,
  actionOutcome,
  EXPECTED_ACTIONS,
  formValues,
  lostEvents,
  pickCall,
  pickDecision,
  Tally,
  type Acknowledged,
  type ActionName,
  type Fields,
} from "./soak-core.ts";

const root = path.resolve(import.meta.dirname, "../..");
const TEAM = "Service Desk North";

type Person = { id: string; name: string };

type Staffer = {
  name: string;
  cookie: string;
  baseUrl: string;
  /** People this agent finished a first call for (a later call about them is a repeat call). */
  called: Person[];
};

export type SoakOptions = {
  seconds: number;
  agents: number;
  supervisors: number;
  reviewers: number;
  thinkMs: number;
};

export function soakOptions(): SoakOptions {
  const number = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
    return value;
  };
  return {
    seconds: number("SOAK_SECONDS", 600),
    agents: number("SOAK_AGENTS", 50),
    supervisors: number("SOAK_SUPERVISORS", 4),
    reviewers: number("SOAK_REVIEWERS", 2),
    thinkMs: number("SOAK_THINK_MS", 100),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function soak(ctx: BenchContext, consoles: string[], options: SoakOptions) {
  const db = ctx.db;
  const ids = actionIds(
    JSON.parse(
      readFileSync(path.join(root, ".next/server/server-reference-manifest.json"), "utf8"),
    ),
  );
  const action = (file: string, name: string) => {
    const id = ids.get(`${file}#${name}`);
    if (!id) throw new Error(`no server action ${file}#${name} in the build`);
    return id;
  };
  const ACTION = {
    openCase: action("app/(console)/users/[userId]/actions.ts", "openCaseAction"),
    revoke: action("app/(console)/users/[userId]/actions.ts", "revokePasskeysAction"),
    recordStep: action("app/(console)/cases/[caseId]/actions.ts", "recordStepAction"),
    issueTap: action("app/(console)/cases/[caseId]/actions.ts", "issueTapAction"),
    reenrol: action("app/(console)/cases/[caseId]/actions.ts", "requestReenrolmentAction"),
    decide: action("app/(console)/approvals/actions.ts", "decideAction"),
  };

  // The desk: staff of its own, made once and kept (as a seed would), each with a session.
  const staffOf = async (role: "AGENT" | "SUPERVISOR" | "SECURITY", label: string, n: number) => {
    const made: Staffer[] = [];
    for (let i = 1; i <= n; i++) {
      const name = `Soak ${label} ${String(i).padStart(2, "0")}`;
      const email = `soak-${label.toLowerCase()}-${i}@bench.example`;
      const staff = await db.staff.upsert({
        where: { email },
        create: { name, email, role, team: role === "SECURITY" ? null : TEAM },
        update: { active: true },
      });
      made.push({
        name,
        cookie: await benchSession(db, staff.id, new Date()),
        baseUrl: consoles[(i - 1) % consoles.length]!,
        called: [],
      });
    }
    return made;
  };
  const agents = await staffOf("AGENT", "Agent", options.agents);
  const supervisors = await staffOf("SUPERVISOR", "Supervisor", options.supervisors);
  const reviewers = await staffOf("SECURITY", "Reviewer", options.reviewers);
  // Keep every step-up fresh (the consoles run with the longest window, 15 minutes).
  const cookies = [...agents, ...supervisors, ...reviewers].map((s) => s.cookie);
  const refreshStepUp = () =>
    db.staffSession.updateMany({
      where: { tokenHash: { in: cookies.map(tokenHashOf) } },
      data: { verifiedAt: new Date() },
    });

  // Who calls: the scale organisation's standard-tier, active people with a passkey and nothing
  // open, in random order, dealt to the agents (no two agents work the same person at once). Not
  // the demo organisation's: its people carry the browser tests' and walk-throughs' stories (a
  // recent record change makes a call a fraud signal that needs a second person, decision 031).
  const people = await db.$queryRaw<Person[]>`
    SELECT u.id, u.name FROM "WorkforceUser" u
    WHERE u."employeeId" ~ '^S[0-9]+$'
      AND u."riskTier" = 'STANDARD' AND u.status = 'ACTIVE'
      AND EXISTS (SELECT 1 FROM "Passkey" p WHERE p."userId" = u.id AND p."revokedAt" IS NULL)
      AND NOT EXISTS (SELECT 1 FROM "RecoveryCase" c WHERE c."userId" = u.id)
      AND NOT EXISTS (SELECT 1 FROM "RecoveryHold" h WHERE h."userId" = u.id AND h."clearedAt" IS NULL)
    ORDER BY random() LIMIT 20000`;
  if (people.length < options.agents * 10)
    throw new Error(
      `only ${people.length} standard-tier people left who never called: load more (SOAK_USERS) or use a fresh SOAK data directory`,
    );
  const queues = agents.map((_, i) => people.filter((_, j) => j % agents.length === i));

  const tally = new Tally();
  const acknowledged: Acknowledged[] = [];

  /** One timed request; returns the response body (null when the request failed). */
  const request = async (
    who: Staffer,
    name: ActionName,
    pathname: string,
    post?: { id: string; fields: Fields },
  ) => {
    const started = performance.now();
    try {
      const response = await fetch(`${who.baseUrl}${pathname}`, {
        method: post ? "POST" : "GET",
        redirect: "manual",
        headers: post
          ? {
              cookie: who.cookie,
              origin: who.baseUrl,
              accept: "text/x-component",
              "next-action": post.id,
            }
          : { cookie: who.cookie },
        body: post ? actionBody(post.fields) : undefined,
      });
      const text = await response.text();
      const ms = performance.now() - started;
      if (!post) {
        const error = response.status === 200 ? null : `HTTP ${response.status}`;
        tally.record(name, ms, error);
        return error ? null : { ok: true as const, message: text, redirect: null };
      }
      const outcome = actionOutcome(
        response.status,
        response.headers.get("x-action-redirect"),
        text,
      );
      tally.record(name, ms, outcome.ok ? null : outcome.error.slice(0, 140));
      return outcome.ok ? outcome : null;
    } catch (error) {
      tally.record(
        name,
        performance.now() - started,
        `failed: ${(error as Error).message}`.slice(0, 140),
      );
      return null;
    }
  };
  const think = () => sleep(Math.random() * 2 * options.thinkMs);

  const deadline = Date.now() + options.seconds * 1000;
  const running = () => Date.now() < deadline;

  /** The checklist of a standard-tier case, as the agent records it. */
  const recordChecklist = async (agent: Staffer, caseId: string) => {
    for (const kind of ["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"]) {
      await think();
      const done = await request(agent, "record step", `/cases/${caseId}`, {
        id: ACTION.recordStep,
        fields: { caseId, kind, outcome: "PASSED", note: "" },
      });
      if (!done) return false;
      acknowledged.push({ kind: "record step", caseId });
    }
    return true;
  };

  const openCase = async (agent: Staffer, person: Person, openCases: string[]) => {
    const opened = await request(agent, "open case", `/users/${person.id}`, {
      id: ACTION.openCase,
      fields: {
        userId: person.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "Lost my phone",
        acknowledgedOpenCases: openCases,
      },
    });
    const caseId = /^\/cases\/([0-9a-f-]{36})$/.exec(opened?.redirect ?? "")?.[1];
    if (!opened) return null;
    if (!caseId) {
      tally.record("open case", 0, "acknowledged without the case's address");
      return null;
    }
    acknowledged.push({ kind: "open case", caseId });
    await think();
    if (!(await request(agent, "case page", `/cases/${caseId}`))) return null;
    return caseId;
  };

  const agentLoop = async (agent: Staffer, queue: Person[]) => {
    while (running()) {
      const kind = pickCall(Math.random());
      const repeat = kind === "reenrol" ? agent.called.shift() : undefined;
      const person = repeat ?? queue.shift();
      if (!person) return;
      await request(agent, "search", `/users?q=${encodeURIComponent(person.name)}`);
      await think();
      const page = await request(agent, "person page", `/users/${person.id}`);
      await think();
      if (kind === "lookup") {
        queue.push(person);
        continue;
      }
      if (!page) continue;
      if (kind === "revoke") {
        // The passkeys the revoke-all confirmation names, as the page shows them (decision 025).
        const revoked = await request(agent, "revoke passkeys", `/users/${person.id}`, {
          id: ACTION.revoke,
          fields: {
            userId: person.id,
            scope: "ALL",
            reason: "LOST",
            confirmedPasskeyIds: formValues(page.message, "confirmedPasskeyIds")[0] ?? "",
          },
        });
        if (revoked) acknowledged.push({ kind: "revoke passkeys", userId: person.id });
        continue;
      }
      // A case: the first call about this person, or a repeat call that acknowledges the open
      // case(s) the page shows.
      const openCases = formValues(page.message, "acknowledgedOpenCases");
      const caseId = await openCase(agent, person, openCases);
      if (!caseId || !(await recordChecklist(agent, caseId))) continue;
      await think();
      if (repeat) {
        const requested = await request(agent, "request re-enrolment", `/cases/${caseId}`, {
          id: ACTION.reenrol,
          fields: { caseId, revoke: [] },
        });
        if (requested) acknowledged.push({ kind: "request re-enrolment", caseId });
      } else {
        const issued = await request(agent, "issue pass", `/cases/${caseId}`, {
          id: ACTION.issueTap,
          fields: { caseId, lifetimeMinutes: "60" },
        });
        if (issued) {
          acknowledged.push({ kind: "issue pass", caseId });
          agent.called.push(person);
        }
      }
      await think();
    }
  };

  const supervisorLoop = async (supervisor: Staffer, index: number) => {
    while (running()) {
      const queue = await request(supervisor, "approvals page", "/approvals");
      // What the queue shows, dealt between the supervisors so two never decide the same one.
      const waiting = [...new Set(formValues(queue?.message ?? "", "approvalId"))].filter(
        (id) => parseInt(id.slice(0, 8), 16) % supervisors.length === index,
      );
      for (const approvalId of waiting.slice(0, 5)) {
        if (!running()) break;
        await think();
        const decision = pickDecision(Math.random());
        const decided = await request(supervisor, "decide approval", "/approvals", {
          id: ACTION.decide,
          fields: {
            approvalId,
            decision,
            reason: decision === "approve" ? "Checked the case" : "Caller could not explain",
          },
        });
        if (decided && "message" in decided)
          acknowledged.push({
            kind: "decide approval",
            approvalId,
            message: decided.message,
          });
      }
      await sleep(500 + Math.random() * 1000);
    }
  };

  const reviewerLoop = async (reviewer: Staffer) => {
    while (running()) {
      await request(reviewer, "audit page", "/audit");
      await sleep(1000 + Math.random() * 2000);
    }
  };

  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(loadavg()[0]!), 5000);
  const refresher = setInterval(() => void refreshStepUp(), 240_000);
  const startedAt = new Date();
  const started = performance.now();
  console.log(
    `\nsoak: ${agents.length} agents, ${supervisors.length} supervisors, ${reviewers.length} reviewers over ${consoles.join(" and ")} for ${options.seconds} s (think ${options.thinkMs} ms on average)`,
  );
  const progress = setInterval(
    () =>
      console.log(
        `… ${Math.round((performance.now() - started) / 1000)} s: ${fmt(tally.requests)} requests, ${fmt(tally.errors)} errors, load ${loadavg()[0]!.toFixed(2)}`,
      ),
    60_000,
  );
  try {
    await Promise.all([
      ...agents.map((agent, i) => agentLoop(agent, queues[i]!)),
      ...supervisors.map((supervisor, i) => supervisorLoop(supervisor, i)),
      ...reviewers.map((reviewer) => reviewerLoop(reviewer)),
    ]);
  } finally {
    clearInterval(sampler);
    clearInterval(refresher);
    clearInterval(progress);
  }
  const seconds = (performance.now() - started) / 1000;

  // The report.
  console.log(
    `\n${"action".padEnd(22)}${"count".padStart(8)}${"per s".padStart(8)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"p99 ms".padStart(9)}${"errors".padStart(8)}`,
  );
  for (const row of tally.summary(seconds)) {
    const errors = row.errors.reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `${row.action.padEnd(22)}${fmt(row.count).padStart(8)}${row.perSecond.toFixed(2).padStart(8)}${fmt(row.p50).padStart(9)}${fmt(row.p95).padStart(9)}${fmt(row.p99).padStart(9)}${fmt(errors).padStart(8)}`,
    );
    for (const [error, n] of row.errors) console.log(`    ${n} × ${error}`);
  }
  console.log(
    `throughput: ${fmt(tally.requests)} requests in ${seconds.toFixed(0)} s = ${(tally.requests / seconds).toFixed(1)} requests/s; ${fmt(acknowledged.length)} audited actions acknowledged`,
  );
  const mean = loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length);
  console.log(
    `machine: ${loadavg().length > 0 ? `1-min load mean ${mean.toFixed(2)}, max ${Math.max(0, ...loads).toFixed(2)}` : ""} (2 cores, shared)`,
  );
  const dry = queues.filter((queue) => queue.length === 0).length;
  if (dry > 0)
    console.log(
      `WARNING: ${dry} agents ran out of people who never called and stopped early: load more (SOAK_USERS)`,
    );
  return { tally, acknowledged, startedAt, seconds };
}

/** GET /healthz as fast as `concurrency` loops can for `seconds`, per console: the floor. */
export async function healthzFloor(consoles: string[], seconds: number, concurrency: number) {
  const deadline = Date.now() + seconds * 1000;
  let n = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const baseUrl = consoles[i % consoles.length]!;
      while (Date.now() < deadline) {
        const response = await fetch(`${baseUrl}/healthz`).catch(() => null);
        await response?.arrayBuffer();
        if (response?.ok) n++;
        else failed++;
      }
    }),
  );
  const perSecond = n / ((performance.now() - started) / 1000);
  console.log(
    `floor: GET /healthz ${perSecond.toFixed(0)} requests/s over ${consoles.length} consoles (${concurrency} loops, ${seconds} s${failed ? `, ${failed} failed` : ""}; load ${loadavg()[0]!.toFixed(2)})`,
  );
  return perSecond;
}

/**
 * The audit check: the log verified (chain, signatures, positions), then every acknowledged
 * action's event looked up among the events written since the soak began.
 */
export async function auditCheck(
  ctx: BenchContext,
  acknowledged: readonly Acknowledged[],
  since: Date,
) {
  const report = await verifyAuditLog(ctx.db, {
    keys: trustedEventKeys(),
    databaseUrl: ctx.databaseUrl,
  });
  console.log(
    `audit log: ${report.ok ? "verified" : "NOT intact"} (${fmt(report.rows)} rows${
      report.problemCount
        ? `, ${report.problemCount} problems: ${report.problems
            .slice(0, 3)
            .map((p) => `${p.id} ${p.problem}`)
            .join("; ")}`
        : ""
    })`,
  );
  const events = await ctx.db.auditEvent.findMany({
    where: { createdAt: { gte: since }, action: { in: EXPECTED_ACTIONS } },
    select: { action: true, targetId: true },
  });
  const lost = lostEvents(acknowledged, events);
  for (const ack of lost.slice(0, 10)) console.log(`  lost: ${JSON.stringify(ack)}`);
  return { ok: report.ok, lost: lost.length };
}

function tokenHashOf(cookie: string) {
  return hashToken(cookie.slice(cookie.indexOf("=") + 1));
}

function hashToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}
