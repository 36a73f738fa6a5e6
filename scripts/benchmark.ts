/**
 * `npm run benchmark`: prints figures for the audit trail and directory at their current size
 * (load the scale data first: `npm run db:seed-scale`). Not a test: it asserts nothing and the
 * machine is shared, so read the figures as orders of magnitude.
 */
import { createHash, randomBytes } from "node:crypto";
import { createDb } from "../lib/create-db.ts";
import { toExportedEvent, toJsonLine } from "../lib/domain/audit-export.ts";
import { AuditSearchSchema } from "../lib/domain/audit-search.ts";
import { auditWhere } from "../lib/server/audit-where.ts";
import { trustedEventKeys } from "../lib/server/audit-keys.ts";
import { verifyAuditLog } from "../lib/server/verify-audit-log.ts";
import { auditConfig } from "./lib/audit-config.ts";

const { databaseUrl } = auditConfig();
if (!databaseUrl) {
  console.error("Set DATABASE_URL, or start the demo first.");
  process.exit(2);
}
const db = createDb(databaseUrl);
const RUNS = 40;

async function timed<T>(run: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}
function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
async function measure(label: string, run: () => Promise<unknown>) {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timed(run));
  console.log(
    `${label.padEnd(52)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(samples, 95).toFixed(1).padStart(7)} ms`,
  );
}

const events = await db.auditEvent.count();
const users = await db.workforceUser.count();
console.log(
  `data: ${events.toLocaleString("en")} audit events, ${users.toLocaleString("en")} workforce users\n`,
);

const someUser = (
  await db.auditEvent.findFirst({
    where: { subjectUserId: { not: null } },
    orderBy: { id: "desc" },
    select: { subjectUserId: true },
  })
)?.subjectUserId;
const someCase = (
  await db.auditEvent.findFirst({
    where: { caseId: { not: null } },
    orderBy: { id: "asc" },
    select: { caseId: true },
  })
)?.caseId;
const page = (search: Record<string, string>) => () =>
  db.auditEvent.findMany({
    where: auditWhere(AuditSearchSchema.parse(search)),
    orderBy: { id: "desc" },
    take: 51,
  });

console.log("audit search (one page of 50, newest first)");
await measure("  no filter", page({}));
await measure("  action = tap.issued", page({ action: "tap.issued" }));
await measure("  refusals", page({ outcome: "REFUSED" }));
if (someUser) await measure("  events about one user", page({ userId: someUser }));
if (someCase) await measure("  one case's timeline", page({ caseId: someCase }));
await measure("  actor name contains 'lucia'", page({ actor: "lucia" }));
await measure("  one day", page({ from: "2026-06-01", to: "2026-06-01" }));
const deep = await db.auditEvent.findFirst({
  orderBy: { id: "asc" },
  skip: Math.floor(events / 2),
  select: { id: true },
});
if (deep)
  await measure("  page in the middle (keyset)", () =>
    db.auditEvent.findMany({ where: { id: { lt: deep.id } }, orderBy: { id: "desc" }, take: 51 }),
  );

console.log("\ndirectory search (one page of 25)");
const dir = (where: object) => () =>
  db.workforceUser.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], take: 25 });
await measure("  name contains 'quinn'", dir({ name: { contains: "quinn", mode: "insensitive" } }));
await measure(
  "  email contains 's2500'",
  dir({ emails: { some: { address: { contains: "s2500", mode: "insensitive" } } } }),
);
await measure("  employee ID", dir({ employeeId: "E10042" }));

console.log("\nexport (JSON Lines, keyset batches of 2,000, written nowhere)");
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const baseline = process.memoryUsage().rss;
let exported = 0;
let bytes = 0;
const exportStart = performance.now();
for (let after = -1n; ;) {
  const rows = await db.auditEvent.findMany({
    where: { id: { gt: after } },
    orderBy: { id: "asc" },
    take: 2000,
  });
  if (rows.length === 0) break;
  for (const row of rows) bytes += Buffer.byteLength(toJsonLine(toExportedEvent(row)));
  exported += rows.length;
  after = rows.at(-1)!.id;
}
const exportSeconds = (performance.now() - exportStart) / 1000;
clearInterval(sampler);
console.log(
  `  ${exported.toLocaleString("en")} events, ${(bytes / 1e6).toFixed(0)} MB in ${exportSeconds.toFixed(1)} s: ${Math.round(exported / exportSeconds).toLocaleString("en")} events/s`,
);
console.log(
  `  resident memory: ${(baseline / 1e6).toFixed(0)} MB before, ${(peak / 1e6).toFixed(0)} MB peak`,
);

// The page itself, over HTTP, when a running console is given (BENCH_URL, e.g. http://localhost:3000).
if (process.env.BENCH_URL) {
  const reviewer = await db.staff.findFirstOrThrow({ where: { role: "SECURITY", active: true } });
  const token = randomBytes(32).toString("base64url");
  await db.staffSession.create({
    data: {
      staffId: reviewer.id,
      tokenHash: createHash("sha256").update(token).digest("hex"),
      expires: new Date(Date.now() + 30 * 60_000),
    },
  });
  const cookie = `${process.env.BENCH_URL.startsWith("https") ? "__Host-" : ""}console.session=${token}`;
  const get = (path: string) => async () => {
    const response = await fetch(`${process.env.BENCH_URL}${path}`, {
      headers: { cookie },
      redirect: "manual",
    });
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
    await response.text();
  };
  console.log(`\naudit search page over HTTP (${process.env.BENCH_URL}, rendered and audited)`);
  await measure("  /audit", get("/audit"));
  await measure(
    "  /audit?outcome=REFUSED&action=access.denied",
    get("/audit?outcome=REFUSED&action=access.denied"),
  );
  if (someUser) await measure("  /audit?userId=…", get(`/audit?userId=${someUser}`));
  await db.staffSession.deleteMany({
    where: { staffId: reviewer.id, createdAt: { gte: new Date(Date.now() - 3600_000) } },
  });
}

console.log("\nfull verification");
const verifyStart = performance.now();
const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
console.log(
  `  ${report.rows.toLocaleString("en")} rows verified in ${((performance.now() - verifyStart) / 1000).toFixed(1)} s: ${report.ok ? "intact" : `${report.problemCount} problem(s), first: ${report.problems[0]?.problem}`}`,
);
await db.$disconnect();
