import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  keepaliveStatements,
  LEADER_KEEPALIVE,
  LEADER_LOCK,
  PERIODIC_JOBS,
  runsPeriodicJobs,
  takeoverBoundMs,
} from "./leadership";

describe("leadership", () => {
  it("runs the periodic jobs on the leader only", () => {
    expect(runsPeriodicJobs("leader")).toBe(true);
    expect(runsPeriodicJobs("standby")).toBe(false);
  });

  it("keeps a claim of its own for every periodic job (defence in depth)", () => {
    expect(Object.keys(PERIODIC_JOBS)).toContain("checkpoint-signer");
    for (const claim of Object.values(PERIODIC_JOBS)) expect(claim.length).toBeGreaterThan(0);
  });

  it("bounds the takeover: a stopped process frees the lock at once, a vanished host after the keepalive", () => {
    expect(takeoverBoundMs({ cause: "process stopped", retryMs: 2000, tickMs: 2000 })).toBe(4000);
    // 10 s idle, then 3 probes 5 s apart: the session ends after 25 s at most.
    expect(takeoverBoundMs({ cause: "host vanished", retryMs: 2000, tickMs: 2000 })).toBe(29_000);
    expect(
      takeoverBoundMs({
        cause: "host vanished",
        retryMs: 1000,
        tickMs: 0,
        keepalive: { idleSeconds: 1, intervalSeconds: 1, count: 1 },
      }),
    ).toBe(3000);
  });

  it("sets the session's keepalive with integers only", () => {
    expect(keepaliveStatements(LEADER_KEEPALIVE)).toEqual([
      "SET tcp_keepalives_idle = 10",
      "SET tcp_keepalives_interval = 5",
      "SET tcp_keepalives_count = 3",
    ]);
    expect(() => keepaliveStatements({ idleSeconds: 1.5, intervalSeconds: 1, count: 1 })).toThrow();
    expect(() => keepaliveStatements({ idleSeconds: 0, intervalSeconds: 1, count: 1 })).toThrow();
  });
});

describe("LEADER_LOCK", () => {
  it("is no other advisory lock's key (one did share it once, and the leader held it forever)", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const literal = new RegExp(
      `\\b${String(LEADER_LOCK).replace(/(\d)(?=(\d{3})+$)/g, "$1_?")}\\b`,
    );
    const users = ["lib", "scripts", "app"]
      .flatMap((dir) =>
        readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" }).map((file) =>
          path.join(dir, file),
        ),
      )
      .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".test.ts"))
      .filter((file) => literal.test(readFileSync(path.join(root, file), "utf8")));
    expect(users).toEqual([path.join("lib", "domain", "leadership.ts")]);
  });
});
