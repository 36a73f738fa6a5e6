/**
 * Leader election among the console's instances (docs/decisions/042-several-instances.md): a
 * dedicated connection that tries the session-level advisory lock LEADER_LOCK every
 * LEADER_RETRY_MS. Holding it makes this process the leader, which runs the periodic jobs
 * (lib/server/outbox-worker.ts). The lock lives as long as the session: when this process stops
 * or its connection is cut, PostgreSQL releases it and another instance takes it at its next try.
 *
 * The leader checks its session at every try (`SELECT 1` with a timeout); an error, an end of
 * the connection or a check that does not answer makes it step down at once and start over with
 * a new connection, so it is leader again only after it re-acquires the lock.
 *
 * NOTE: not marked "server-only" and free of lib/env: it takes its connection string, so the
 * worker passes the app's and tests can run it as it is.
 */
import type pg from "pg";
import { pgClient } from "@/lib/pg-connect";
import { log } from "@/lib/server/log";
import {
  LEADER_CHECK_TIMEOUT_MS,
  LEADER_LOCK,
  LEADER_RETRY_MS,
  keepaliveStatements,
  type LeaderRole,
} from "@/lib/domain/leadership";

export type Leadership = {
  role: () => LeaderRole;
  /** Gives the lock up (closes the connection) and stops trying. */
  stop: () => Promise<void>;
};

export function startLeaderElection(options: {
  connectionString: string;
  onChange?: (role: LeaderRole) => void;
  retryMs?: number;
}): Leadership {
  let role: LeaderRole = "standby";
  let client: pg.Client | null = null;
  let trying = false;
  let stopped = false;

  const become = (next: LeaderRole) => {
    if (role === next) return;
    role = next;
    options.onChange?.(next);
  };
  const drop = (reason: string) => {
    const old = client;
    client = null;
    if (role === "leader")
      log().error(`leader election: lost the leader's session (${reason}); stepping down`);
    become("standby");
    old?.end().catch(() => undefined);
  };

  const attempt = async () => {
    if (trying || stopped) return;
    trying = true;
    try {
      if (!client) {
        // The one connect function (decision 043): with a host list, the lock is taken on the
        // primary, and after a failover on the promoted standby.
        const fresh = pgClient(options.connectionString, {
          keepAlive: true,
          query_timeout: LEADER_CHECK_TIMEOUT_MS,
          application_name: `console leader election (pid ${process.pid})`,
        });
        fresh.on("error", (error) => {
          if (client === fresh) drop(error.message);
        });
        fresh.on("end", () => {
          if (client === fresh) drop("connection closed");
        });
        client = fresh;
        await fresh.connect();
        for (const statement of keepaliveStatements()) await fresh.query(statement);
      }
      const current = client;
      if (role === "leader") {
        // Still holding it? The lock is the session's, so a live session still holds it.
        await current.query("SELECT 1");
        return;
      }
      const { rows } = await current.query<{ leader: boolean }>(
        "SELECT pg_try_advisory_lock($1) AS leader",
        [LEADER_LOCK],
      );
      if (stopped || client !== current) {
        // Stopped while asking: closing the connection gives the lock back.
        await current.end().catch(() => undefined);
        return;
      }
      if (rows[0]?.leader) become("leader");
    } catch (error) {
      drop(error instanceof Error ? error.message : String(error));
    } finally {
      trying = false;
    }
  };

  void attempt();
  const timer = setInterval(() => void attempt(), options.retryMs ?? LEADER_RETRY_MS);
  timer.unref();

  return {
    role: () => role,
    async stop() {
      stopped = true;
      clearInterval(timer);
      const old = client;
      client = null;
      become("standby");
      await old?.end().catch(() => undefined);
    },
  };
}
