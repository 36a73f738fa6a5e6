/**
 * Several instances over one database (docs/decisions/042): exactly one runs the periodic jobs
 * and signs checkpoints, and another takes over when it stops. Two real worker processes
 * (tests/worker-process.ts: the same startOutboxWorker every web process starts) run against this
 * file's database; the test kills the leader and watches the other sign the next checkpoint.
 */
import { createLogger, setLogger } from "@/lib/server/log";
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEADER_LOCK, type LeaderRole } from "@/lib/domain/leadership";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { startLeaderElection } from "@/lib/server/cluster-leader";
import { db } from "@/tests/db";

const LEADER_LINE = "now runs the periodic jobs";
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
const children: ChildProcess[] = [];
let keyDir: string;

type Worker = { child: ChildProcess; output: () => string };

function startWorker(): Worker {
  let output = "";
  const child = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "tests/worker-process.ts"],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        AUDIT_SIGNING_KEY_FILE: path.join(keyDir, "checkpoint-key.pem"),
        AUDIT_CHECKPOINT_DIR: path.join(keyDir, "checkpoints"),
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  return { child, output: () => output };
}

/** Waits for a condition the processes bring about (a deadline only against a hang). */
async function eventually<T>(what: string, probe: () => Promise<T | null | false>): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The operating-system pids of the sessions that hold the leader's lock. */
async function lockHolders(): Promise<number[]> {
  // A bigint advisory key shows as classid (high half), objid (low half) and objsubid 1.
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1
        AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LEADER_LOCK],
  );
  return rows.map((row) => Number(/pid (\d+)/.exec(row.name)?.[1] ?? -1));
}

async function latestSize(): Promise<number> {
  const row = await db.auditCheckpoint.findFirst({ orderBy: { size: "desc" } });
  return Number(row?.size ?? 0);
}

async function decide(n: number) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `cluster${n}` },
      data: { permission: "audit:read", path: `/cluster/${n}` },
    }),
  );
}

beforeAll(async () => {
  await client.connect();
  keyDir = mkdtempSync(path.join(tmpdir(), "cluster-leader-"));
  const { privateKey } = generateKeyPairSync("ed25519");
  writeFileSync(
    path.join(keyDir, "checkpoint-key.pem"),
    privateKey.export({ type: "pkcs8", format: "pem" }),
    { mode: 0o600 },
  );
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await client.end();
});

describe("leader election between two worker processes", () => {
  it("lets one process sign checkpoints at a time, and the other take over when it is killed", async () => {
    const a = startWorker();
    await eventually("the first worker to lead", async () => a.output().includes(LEADER_LINE));
    const b = startWorker();
    await eventually("the second worker to try the lock", async () => {
      const { rows } = await client.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1",
        [`console leader election (pid ${b.child.pid})`],
      );
      return rows.length > 0;
    });

    // Both run their loops; the leader signs what is decided now.
    for (let n = 0; n < 3; n++) await decide(n);
    const before = await latestSize();
    await decide(3);
    const signedByA = await eventually("a checkpoint from the leader", async () => {
      const size = await latestSize();
      return size > before && size;
    });
    expect(await lockHolders()).toEqual([a.child.pid]);
    expect(b.output()).not.toContain(LEADER_LINE);

    // The leader dies without a word: PostgreSQL ends its session and frees the lock.
    a.child.kill("SIGKILL");
    await eventually(
      "the first worker to exit",
      async () => a.child.exitCode !== null || a.child.signalCode !== null,
    );
    await decide(4);
    await eventually("the second worker to lead", async () => b.output().includes(LEADER_LINE));
    const signedByB = await eventually("a checkpoint from the new leader", async () => {
      const size = await latestSize();
      return size > signedByA && size;
    });
    expect(signedByB).toBeGreaterThan(signedByA);
    expect(await lockHolders()).toEqual([b.child.pid]);
    b.child.kill("SIGTERM");
    await eventually("the second worker to exit", async () => b.child.exitCode !== null);
    await eventually("the lock to be free", async () => (await lockHolders()).length === 0);
  }, 240_000);
});

describe("startLeaderElection", () => {
  it("steps down when its session is cut and leads again once it re-acquires the lock", async () => {
    const roles: LeaderRole[] = [];
    const lines: string[] = [];
    setLogger(createLogger({ level: "info", destination: { write: (l) => void lines.push(l) } }));
    const election = startLeaderElection({
      connectionString: process.env.DATABASE_URL!,
      retryMs: 200,
      onChange: (role) => roles.push(role),
    });
    try {
      await eventually("the election to lead", async () => election.role() === "leader");
      const { rows } = await client.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
        [`console leader election (pid ${process.pid})`],
      );
      expect(rows).toHaveLength(1);
      await client.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await eventually("a new session to lead", async () => roles.length >= 3);
      expect(roles).toEqual(["leader", "standby", "leader"]);
      // The step-down is told to the operator, once, as an error in the JSON log.
      const told = lines
        .map((line) => JSON.parse(line) as { level: string; msg: string })
        .filter((line) => line.msg.includes("lost the leader's session"));
      expect(told).toHaveLength(1);
      expect(told[0]!.level).toBe("error");
      expect(election.role()).toBe("leader");
    } finally {
      await election.stop();
      setLogger(createLogger({ level: "silent" }));
    }
    expect(election.role()).toBe("standby");
  });

  it("hands the lock to a waiting election when the leader stops", async () => {
    const first = startLeaderElection({
      connectionString: process.env.DATABASE_URL!,
      retryMs: 200,
    });
    await eventually("the first to lead", async () => first.role() === "leader");
    const second = startLeaderElection({
      connectionString: process.env.DATABASE_URL!,
      retryMs: 200,
    });
    try {
      // Several tries of the second while the first holds the lock: it stays standby.
      const tries = await eventually("the second to have tried", async () => {
        const { rows } = await client.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = $1",
          [`console leader election (pid ${process.pid})`],
        );
        return rows.length === 2;
      });
      expect(tries).toBe(true);
      expect(second.role()).toBe("standby");
      await first.stop();
      await eventually("the second to lead", async () => second.role() === "leader");
      expect(first.role()).toBe("standby");
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
