/**
 * What every section of `npm run benchmark` shares: timing, percentiles, number formatting and
 * the machine's load. Each section lives in its own module under scripts/bench/ and exports one
 * function taking a BenchContext; scripts/benchmark.ts runs them in order.
 */
import { loadavg } from "node:os";
import type { Db } from "../../lib/create-db.ts";

export type BenchContext = {
  /** The benchmark database (scale data loaded), as its owner: may create scratch databases. */
  databaseUrl: string;
  db: Db;
  /** A running production console over that database, when the HTTP sections run. */
  baseUrl: string | null;
  /** A reviewer's session cookie for baseUrl (the console's cookie header value). */
  cookie: string | null;
};

export const RUNS = 40;

export function load() {
  return `load ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}`;
}

export async function timed<T>(run: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

export function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: number[]) {
  return percentile(values, 50);
}

export function fmt(n: number, digits = 0) {
  return n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Runs `run` once to warm up, then RUNS times; returns the samples in milliseconds. */
export async function sample(run: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timed(run));
  return samples;
}

/** Prints one labelled line with p50 and p95; returns the samples. */
export async function measure(label: string, run: () => Promise<unknown>, runs = RUNS) {
  const samples = await sample(run, runs);
  console.log(
    `${label.padEnd(52)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(samples, 95).toFixed(1).padStart(7)} ms`,
  );
  return samples;
}

/** "1.23×": a figure against its floor. */
export function ratio(figure: number, floor: number) {
  return `${(figure / floor).toFixed(2)}×`;
}

/**
 * The database server's CPU time so far, in seconds, when it runs on this machine (the embedded
 * server, or a local one this user may read /proc of); null otherwise. It is the postmaster's own
 * time and that of the backends it has reaped (cutime, cstime), plus every live child's: so a
 * connection that ends during the measurement still counts. Linux only.
 */
export async function databaseCpuReader(client: {
  query: (sql: string) => Promise<{ rows: { pid: number }[] }>;
}): Promise<(() => number) | null> {
  const { readFileSync, readdirSync } = await import("node:fs");
  const ticks = 100; // USER_HZ on Linux
  // /proc/<pid>/stat: fields after the "(comm)" part; ppid is the 2nd, utime..cstime the 12th–15th.
  const stat = (pid: string) => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      return text.slice(text.lastIndexOf(")") + 2).split(" ");
    } catch {
      return null;
    }
  };
  const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
  const backend = stat(String(rows[0]!.pid));
  if (!backend) return null;
  const postmaster = backend[1]!;
  return () => {
    let total = 0;
    const own = stat(postmaster);
    if (own) total += [11, 12, 13, 14].reduce((sum, i) => sum + Number(own[i]), 0);
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const fields = stat(pid);
      if (fields && fields[1] === postmaster) total += Number(fields[11]) + Number(fields[12]);
    }
    return total / ticks;
  };
}
