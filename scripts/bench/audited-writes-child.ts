/**
 * One run of the product's write path for scripts/bench/audited-writes.ts, in a process of its
 * own (as a console instance would be): `writers` loops revoke every passkey of distinct users
 * through revokePasskeys (the use case a server action calls: the case unit of work, the user's
 * row lock, the voiding, the notice in the outbox, the signed audit event appended last), over
 * the app's own pool (DATABASE_POOL_SIZE). Prints one JSON line with the figures.
 *
 * Run with `--conditions=react-server` (the use cases are server-only modules) and the app's
 * environment; the parent sets both.
 */
import { randomUUID } from "node:crypto";

const writers = Number(process.env.BENCH_WRITERS);
const seconds = Number(process.env.BENCH_SECONDS);
// With several instances, each takes its own share of the users and all start at one moment.
const instance = Number(process.env.BENCH_INSTANCE ?? 0);
const instances = Number(process.env.BENCH_INSTANCES ?? 1);
const startAt = Number(process.env.BENCH_START_AT ?? 0);
const { db } = await import("../../lib/db.ts");
const { revokePasskeys } = await import("../../lib/server/revoke-passkeys.ts");

const staff = await db.staff.findFirstOrThrow({ where: { role: "AGENT", active: true } });
const users = (
  await db.workforceUser.findMany({
    where: { passkeys: { some: { status: "ACTIVE" } } },
    select: { id: true },
    orderBy: { id: "asc" },
  })
)
  .map((user) => user.id)
  .filter((_, i) => i % instances === instance);
const actor = { ...staff, sessionExpires: new Date(Date.now() + 3600_000) };
let next = 0;
const once = () =>
  revokePasskeys({
    actor,
    userId: users[next++ % users.length]!,
    request: { scope: "ALL" },
    reason: "LOST",
    requestContext: { requestId: randomUUID(), ip: "10.1.2.3" },
  });

// Warm up: the pool, Prisma's engine and the key.
await Promise.all(Array.from({ length: Math.min(writers, 10) }, once));
if (startAt > Date.now()) await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
const latencies: number[] = [];
const errors: string[] = [];
let failed = 0;
const begun = performance.now();
const cpuBefore = process.cpuUsage();
const deadline = begun + seconds * 1000;
await Promise.all(
  Array.from({ length: writers }, async () => {
    while (performance.now() < deadline && next < users.length) {
      const start = performance.now();
      try {
        await once();
        latencies.push(performance.now() - start);
      } catch (error) {
        failed++;
        if (errors.length < 3) errors.push(String(error).slice(0, 200));
      }
    }
  }),
);
const elapsed = (performance.now() - begun) / 1000;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    perSecond: latencies.length / elapsed,
    latencies,
    failed,
    errors,
    cpu: (cpu.user + cpu.system) / 1e6 / elapsed,
    exhausted: next >= users.length,
  }),
);
await db.$disconnect();
