import "server-only";
/**
 * The process's one LISTEN connection for live updates (docs/decisions/023). The audit append
 * notifies on LIVE_CHANNEL at commit; this connection hears it from every instance of the
 * console and hands each change to the open event streams of this process. It holds no state of
 * its own: a stream that connects later, or a listener that lost its connection, simply makes
 * the page refresh ("resync") and read the database again.
 *
 * Kept on globalThis: Next may evaluate a bundled module more than once in one process, and two
 * listeners would mean two connections and every change delivered twice.
 */
import type pg from "pg";
import { pgClient } from "@/lib/pg-connect";
import { LIVE_CHANNEL, parseLiveChange, type LiveChange } from "@/lib/domain/live-changes";
import { env } from "@/lib/env";
import { log } from "./log";

/** A change, or "resync": the listener reconnected and changes may have been missed. */
export type LiveSignal = LiveChange | "resync";
type Subscriber = (signal: LiveSignal) => void;

type Listener = {
  subscribers: Set<Subscriber>;
  client: pg.Client | null;
  connecting: Promise<void> | null;
  retryTimer: NodeJS.Timeout | null;
  /** The connection was lost since it last listened: reconnecting must make every page re-read. */
  lost: boolean;
};

const RETRY_MS = 2000;

const globalForLive = globalThis as unknown as { consoleLiveListener?: Listener };

function listener(): Listener {
  globalForLive.consoleLiveListener ??= {
    subscribers: new Set(),
    client: null,
    connecting: null,
    retryTimer: null,
    lost: false,
  };
  return globalForLive.consoleLiveListener;
}

function broadcast(state: Listener, signal: LiveSignal) {
  for (const subscriber of state.subscribers) {
    try {
      subscriber(signal);
    } catch (error) {
      log().error({ err: error }, "live update subscriber failed");
    }
  }
}

function scheduleRetry(state: Listener) {
  if (state.retryTimer || state.subscribers.size === 0) return;
  state.retryTimer = setTimeout(() => {
    state.retryTimer = null;
    void connect(state);
  }, RETRY_MS);
  state.retryTimer.unref();
}

function connect(state: Listener): Promise<void> {
  if (state.client || state.connecting) return state.connecting ?? Promise.resolve();
  const client = pgClient(env.DATABASE_URL);
  const lost = (reason: string) => {
    if (state.client !== client) return;
    log().error(`live updates lost their database connection (${reason}); retrying`);
    state.client = null;
    state.lost = true;
    client.end().catch(() => undefined);
    scheduleRetry(state);
  };
  client.on("notification", (message) => {
    if (message.channel !== LIVE_CHANNEL) return;
    const change = parseLiveChange(message.payload);
    if (change) broadcast(state, change);
  });
  client.on("error", (error) => lost(error.message));
  client.on("end", () => lost("closed"));
  state.connecting = (async () => {
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
      state.client = client;
      // Anything committed while the connection was down was not heard: every page re-reads.
      if (state.lost) broadcast(state, "resync");
      state.lost = false;
    } catch (error) {
      log().error({ err: error }, "live updates could not listen; retrying");
      client.end().catch(() => undefined);
      state.lost = true;
      scheduleRetry(state);
    } finally {
      state.connecting = null;
    }
  })();
  return state.connecting;
}

/**
 * Calls `subscriber` with every change committed once the returned promise resolves (and
 * "resync" whenever the listener reconnects after losing its connection). Resolves to the
 * unsubscribe function once the listener is listening; the connection closes when the last
 * subscriber leaves.
 */
export async function subscribeToLiveChanges(subscriber: Subscriber): Promise<() => void> {
  const state = listener();
  state.subscribers.add(subscriber);
  await connect(state);
  return () => {
    state.subscribers.delete(subscriber);
    if (state.subscribers.size > 0) return;
    if (state.retryTimer) clearTimeout(state.retryTimer);
    state.retryTimer = null;
    const client = state.client;
    state.client = null;
    client?.end().catch(() => undefined);
  };
}
