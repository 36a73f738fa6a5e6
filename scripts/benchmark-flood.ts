/**
 * `npm run benchmark:flood`: what a flood of pass guesses costs the agents. Against a running
 * console (BENCH_URL, default http://localhost:3000; `npm start` first), it measures an agent
 * opening a case page, alone and then while one client floods /redeem with wrong passes the way a
 * script without JavaScript would (the form's own no-JS submission). Beside them, a floor
 * measured in the same run: a static file from the same server. Not a test: it asserts nothing,
 * and the machine is shared, so read the ratios, not the milliseconds.
 */
import { createHash, randomBytes } from "node:crypto";
import { createDb } from "../lib/create-db.ts";
import { auditConfig } from "./lib/audit-config.ts";

const base = (process.env.BENCH_URL ?? "http://localhost:3000").replace(/\/$/, "");
const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 20);
const FLOOD_CONCURRENCY = Number(process.env.FLOOD_CONCURRENCY ?? 16);
const SAMPLES = 60;

const { databaseUrl } = auditConfig();
if (!databaseUrl) {
  console.error("Set DATABASE_URL, or start the demo first (npm start).");
  process.exit(2);
}
const db = createDb(databaseUrl);

// An agent and a case of their team to open, made directly: the benchmark measures pages, not
// sign-in or case opening (the rows are marked so they are easy to tell apart).
const agent = await db.staff.findFirstOrThrow({
  where: { role: "AGENT", active: true, team: { not: null } },
});
const subject = await db.workforceUser.findFirstOrThrow({
  where: { status: "ACTIVE", riskTier: "STANDARD" },
  select: { id: true },
});
const kase = await db.recoveryCase.create({
  data: {
    userId: subject.id,
    agentId: agent.id,
    team: agent.team,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "benchmark: flood",
    riskTier: "STANDARD",
    policyVersion: 1,
    checklist: {
      create: {
        scriptKey: "standard",
        policyVersion: 1,
        steps: {
          create: [
            "CALLBACK",
            "PASSKEY_PROOF",
            "MANAGER_CONFIRMATION",
            "ID_DOCUMENT",
            "EMPLOYEE_RECORD",
          ].map((kind, position) => ({ position, kind: kind as "CALLBACK" })),
        },
      },
    },
  },
  select: { id: true },
});
const token = randomBytes(32).toString("base64url");
await db.staffSession.create({
  data: {
    staffId: agent.id,
    tokenHash: createHash("sha256").update(token).digest("hex"),
    expires: new Date(Date.now() + 30 * 60_000),
  },
});
const cookie = `${base.startsWith("https") ? "__Host-" : ""}console.session=${token}`;

async function timedGet(path: string, headers: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${base}${path}`, { headers, redirect: "manual" });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
  return performance.now() - start;
}
function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
async function sample(path: string, headers: Record<string, string> = {}) {
  await timedGet(path, headers);
  const values: number[] = [];
  for (let i = 0; i < SAMPLES; i++) values.push(await timedGet(path, headers));
  return { p50: percentile(values, 50), p95: percentile(values, 95) };
}
const row = (label: string, figures: { p50: number; p95: number }, floor?: { p50: number }) =>
  console.log(
    `${label.padEnd(46)} p50 ${figures.p50.toFixed(1).padStart(7)} ms   p95 ${figures.p95.toFixed(1).padStart(7)} ms${floor ? `   (${(figures.p50 / floor.p50).toFixed(1)}× the floor)` : ""}`,
  );

// The redeem form's no-JS submission: its hidden fields plus email and pass, as multipart.
const formHtml = await (await fetch(`${base}/redeem`)).text();
const hidden = [...formHtml.matchAll(/<input[^>]*type="hidden"[^>]*>/g)].map((m) => {
  const attr = (name: string) =>
    m[0]
      .match(new RegExp(`${name}="([^"]*)"`))?.[1]
      ?.replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&") ?? "";
  return [attr("name"), attr("value")] as const;
});
const someone = await db.workforceEmail.findFirstOrThrow({
  where: { verified: true },
  select: { address: true },
});
async function guess(): Promise<number> {
  const body = new FormData();
  for (const [name, value] of hidden) body.append(name, value);
  body.append("email", Math.random() < 0.5 ? someone.address : `nobody@northwind.example`);
  body.append("code", "0000-0000-0000-0000");
  const response = await fetch(`${base}/redeem`, {
    method: "POST",
    body,
    headers: { Origin: new URL(base).origin },
    redirect: "manual",
  });
  await response.arrayBuffer();
  return response.status;
}

console.log(`console ${base}; agent ${agent.name} opening case ${kase.id}\n`);
const staticFile = formHtml.match(/\/_next\/static\/[^"]+\.js/)?.[0];
if (!staticFile) throw new Error("no static file found in /redeem");
const floor = await sample(staticFile);
row("floor: a static file", floor);
const alone = await sample(`/cases/${kase.id}`, { cookie });
row("agent opens a case page, no flood", alone, floor);

const auditBefore = await db.auditEvent.count();
const tallyBefore = await db.refusalTally.aggregate({ _sum: { count: true } });
const statuses = new Map<number, number>();
let flooding = true;
const flood = Array.from({ length: FLOOD_CONCURRENCY }, async () => {
  while (flooding) {
    const status = await guess().catch(() => 0);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
});
const floodStart = performance.now();
await new Promise((resolve) => setTimeout(resolve, 1000));
const floodFloor = await sample(staticFile);
const during = await sample(`/cases/${kase.id}`, { cookie });
await new Promise((resolve) =>
  setTimeout(resolve, Math.max(0, FLOOD_SECONDS * 1000 - (performance.now() - floodStart))),
);
flooding = false;
await Promise.all(flood);
const seconds = (performance.now() - floodStart) / 1000;
row("floor: a static file, during the flood", floodFloor);
row("agent opens a case page, during the flood", during, floor);

const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
const tallyAfter = await db.refusalTally.aggregate({ _sum: { count: true } });
console.log(
  `\nflood: ${sent} guesses from one client in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s, ${FLOOD_CONCURRENCY} at a time); HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
);
console.log(
  `audit rows written meanwhile: ${(await db.auditEvent.count()) - auditBefore} (the agent's page reads and any wrong guesses at a real pass); refusals counted: ${(tallyAfter._sum.count ?? 0) - (tallyBefore._sum.count ?? 0)}`,
);
// Cases are closed, never deleted (the application role may not delete one).
await db.recoveryCase.update({
  where: { id: kase.id },
  data: { status: "CLOSED", closedAt: new Date(), closeReason: "benchmark" },
});
await db.staffSession.deleteMany({
  where: { tokenHash: createHash("sha256").update(token).digest("hex") },
});
await db.$disconnect();
