/**
 * The one way the console's node-postgres connections find the database (docs/decisions/043):
 * the Prisma pool (lib/create-db.ts), the LISTEN connections, the bulk readers, the rate
 * limiter's pool and the start-up checks all make their clients here.
 *
 * DATABASE_URL may name one host (as always: the URL goes to node-postgres unchanged) or a list
 * of hosts in libpq's syntax with target_session_attrs=read-write (lib/domain/database-url.ts).
 * With a list, every new connection first asks the hosts, in order, starting with the one that
 * last took writes, `pg_is_in_recovery()` (and read-only) on a short probe connection, and
 * connects to the first that is a primary. A connection that breaks (the primary died) is
 * dropped by its pool or its owner, and the next connection asks again: after a failover the
 * console finds the promoted standby by itself. Promoting is never done here.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import pg from "pg";
import {
  acceptsSession,
  connectionOrder,
  describeHosts,
  parseDatabaseUrl,
  type DatabaseTargets,
} from "./domain/database-url";

/**
 * How long a probe may take to connect when neither the caller nor the URL's connect_timeout
 * (libpq's, in seconds, at least 2) says: a host that is down on a network may never answer.
 */
const PROBE_TIMEOUT_MS = 5_000;

/** The host that last took writes, per host list (shared by every client of this process). */
const lastPrimary = new Map<string, number>();

const parsed = new Map<string, DatabaseTargets>();
function targetsOf(url: string): DatabaseTargets {
  let targets = parsed.get(url);
  if (!targets) {
    targets = parseDatabaseUrl(url);
    parsed.set(url, targets);
  }
  return targets;
}

/** No host of the list took writes: the primary is down and no standby has been promoted yet. */
export class NoPrimaryError extends Error {
  readonly code = "ENOPRIMARY";
}

/**
 * Asks the hosts in order which one is the primary; returns its index. Throws NoPrimaryError
 * (one line per host: refused, timed out, in recovery) when none is.
 */
export async function findPrimary(
  connectionString: string,
  config: pg.ClientConfig = {},
): Promise<number> {
  const targets = targetsOf(connectionString);
  const key = describeHosts(targets.hosts) + targets.urls[0];
  const reasons: string[] = [];
  for (const index of connectionOrder(targets.hosts.length, lastPrimary.get(key) ?? null)) {
    const probe = new pg.Client({
      ...config,
      connectionTimeoutMillis:
        config.connectionTimeoutMillis ??
        (targets.connectTimeoutSeconds !== null
          ? targets.connectTimeoutSeconds * 1000
          : PROBE_TIMEOUT_MS),
      connectionString: targets.urls[index],
    });
    // A probe's socket error after its answer is of no interest.
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      const { rows } = await probe.query<{ recovery: boolean; ro: string }>(
        "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS ro",
      );
      const server = { inRecovery: rows[0]!.recovery, readOnly: rows[0]!.ro === "on" };
      if (acceptsSession(targets.targetSessionAttrs, server)) {
        lastPrimary.set(key, index);
        return index;
      }
      reasons.push(
        `${describeHosts([targets.hosts[index]!])} is ${server.inRecovery ? "a standby (in recovery)" : "read-only"}`,
      );
    } catch (error) {
      reasons.push(
        `${describeHosts([targets.hosts[index]!])}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await probe.end().catch(() => undefined);
    }
  }
  throw new NoPrimaryError(
    `no primary among ${describeHosts(targets.hosts)} (${reasons.join("; ")})`,
  );
}

/**
 * The single-host URL of the primary among a host list's hosts (a single-host URL as it is):
 * for tools that take one host, such as pg_dump in `npm run db:backup`.
 */
export async function primaryUrl(connectionString: string): Promise<string> {
  const targets = targetsOf(connectionString);
  if (!needsProbe(targets)) return connectionString;
  return targets.urls[await findPrimary(connectionString)]!;
}

/** Whether connecting needs the hosts asked first (a list, or a single host with read-write). */
function needsProbe(targets: DatabaseTargets) {
  return targets.hosts.length > 1 || targets.targetSessionAttrs !== "any";
}

/**
 * The mark (a SQL comment) that opens a statement to keep prepared, written first in its
 * `$queryRaw` template. Such a statement is sent as a named prepared statement, named after a
 * hash of its text: each connection parses it once and PostgreSQL may reuse one generic plan,
 * where an unnamed statement is parsed, analysed and planned at every call. For the statements of
 * a hot path whose planning costs more than running them: revokePasskeys' voiding CTE was planned
 * in 0.6 ms and ran in 0.03 ms; marking its statements took the database's CPU per revocation
 * from 3.2 ms to 1.8 ms (docs/decisions/045). A statement answers exactly as unprepared. Only for
 * text of a fixed shape, never one built from variable parts (an IN list of any length): each
 * different text is another statement the connection keeps until it closes. Name the columns it
 * returns, never `SELECT *` or `RETURNING *`: after a migration adds a column, a kept statement
 * whose result would change shape fails ("cached plan must not change result type").
 */
export const PREPARED_MARK = "/* prepared */";

/** A query config opening with PREPARED_MARK, named after its text; anything else as it is. */
function markedAsPrepared(config: unknown): unknown {
  if (
    config === null ||
    typeof config !== "object" ||
    !("text" in config) ||
    typeof config.text !== "string" ||
    !config.text.startsWith(PREPARED_MARK) ||
    ("name" in config && config.name !== undefined)
  )
    return config;
  return { ...config, name: preparedName(config.text) };
}

/** Each marked text's name, hashed once: the statements of a hot path come back thousands of times a second. */
const preparedNames = new Map<string, string>();

function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `prepared_${createHash("sha256").update(text).digest("hex").slice(0, 40)}`;
    // Marked texts are of a fixed shape, so few; a text built from variable parts is not kept.
    if (preparedNames.size < 1_000) preparedNames.set(text, name);
  }
  return name;
}

/**
 * One transaction's claim on the pool connection it runs on (docs/decisions/046). A transaction
 * opened inside `inTransactionScope(slot, ...)` (auditedTransaction does) records its connection
 * here when Prisma's adapter sends that connection's BEGIN, and the connection records the slot as
 * its owner until the transaction's COMMIT or ROLLBACK, or its release to the pool, or its end.
 * `ownedConnection(slot)` is that connection only while it still runs this very transaction.
 */
export type TransactionSlot = {
  connection: PrimaryClient | null;
  /**
   * Set once the transaction's work begins (its own BEGIN has been sent by then): no later BEGIN
   * in the scope, another transaction's opened inside the work, may claim the slot. Without it, a
   * transaction whose own connection is not one of these clients (another pool's) left the slot
   * open for the first transaction its work opened, and its statements ran in that one.
   */
  sealed: boolean;
  /** Set once the transaction's work is done and its append may end it (decision 048). */
  ending: boolean;
  /**
   * Set once the transaction committed with its last statement, in the same message
   * (`PrimaryClient.runAndCommit`, docs/decisions/048): its changes are durable whatever Prisma's
   * transaction manager says afterwards.
   */
  committed: boolean;
};

const transactionScope = new AsyncLocalStorage<TransactionSlot>();

/** Runs `open` (which opens one transaction) so that its BEGIN records the connection in `slot`. */
export function inTransactionScope<T>(slot: TransactionSlot, open: () => T): T {
  return transactionScope.run(slot, open);
}

/**
 * The connection of the slot's transaction, if that transaction is still open on it; otherwise
 * null (never claimed: another pool, BEGIN sent from outside the scope; or already committed,
 * rolled back, released). A statement sent to it right away runs inside that transaction: the
 * connection runs its statements in the order they were sent, and COMMIT comes after.
 */
export function ownedConnection(slot: TransactionSlot): PrimaryClient | null {
  const connection = slot.connection;
  return connection?.runsTransactionOf(slot) ? connection : null;
}

/** The text of a query's first argument (a string or a query config), if it has one. */
function textOf(config: unknown): string | undefined {
  if (typeof config === "string") return config;
  if (config !== null && typeof config === "object" && "text" in config)
    return typeof config.text === "string" ? config.text : undefined;
  return undefined;
}

/**
 * A node-postgres client that connects to the primary of DATABASE_URL's hosts. With a
 * single-host URL it is node-postgres's own client, unchanged. Also the pools' `Client`.
 * Statements opening with PREPARED_MARK are named prepared statements (see there).
 */
export class PrimaryClient extends pg.Client {
  readonly #config: pg.ClientConfig;
  readonly #targets: DatabaseTargets | null;
  /** The slot whose transaction this connection is running now (see TransactionSlot). */
  #owner: TransactionSlot | null = null;
  /**
   * Where this connection's transaction is in committing with its last statement (runAndCommit),
   * until the connection goes back to the pool or ends: "committing" from the moment that
   * statement is sent, "committed" once PostgreSQL has committed. Meanwhile any statement but the
   * COMMIT or ROLLBACK Prisma's transaction manager still sends is refused: it was written for a
   * transaction that is ending, and would run after it, committed on its own. Once committed,
   * that COMMIT or ROLLBACK is answered here.
   */
  #early: "committing" | "committed" | null = null;
  /** node-postgres's own `query`, under the wrapper set in the constructor. */
  readonly #send: pg.Client["query"];

  constructor(config: pg.ClientConfig) {
    const targets = config.connectionString ? targetsOf(config.connectionString) : null;
    const probed = targets && needsProbe(targets) ? targets : null;
    // node-postgres cannot read a host list: it gets one host's URL, replaced at connect.
    super(probed ? { ...config, connectionString: probed.urls[0] } : config);
    this.#config = config;
    this.#targets = probed;
    // An own property, so the class keeps node-postgres's typed overloads of `query`.
    const query = this.query;
    this.#send = query;
    this.query = ((first: unknown, ...rest: unknown[]) => {
      if (this.#early !== null) {
        const text = textOf(first);
        const ends = text === "COMMIT" || text === "ROLLBACK";
        // While the message is on its way, an ending goes after it: a ROLLBACK for a failed
        // statement, or one that only draws "no transaction in progress" after the COMMIT.
        if (this.#early === "committed" || !ends) return afterEarlyCommit(text, ends, rest);
      }
      this.#follow(textOf(first));
      return (query as (...args: unknown[]) => unknown).call(
        this,
        markedAsPrepared(first),
        ...rest,
      );
    }) as pg.Client["query"];
    this.on("end", () => this.releaseOwner());
  }

  /**
   * Follows the transaction on this connection: the BEGIN Prisma's adapter sends (exactly
   * "BEGIN", as @prisma/adapter-pg's startTransaction does) claims it for the scope's slot if that
   * slot has no connection yet; the COMMIT or ROLLBACK Prisma's transaction manager sends ends the
   * claim before it is sent.
   */
  #follow(text: string | undefined) {
    if (text === "BEGIN") {
      this.#owner = null;
      const slot = transactionScope.getStore();
      if (slot && slot.connection === null && !slot.sealed) {
        slot.connection = this;
        this.#owner = slot;
      }
    } else if (text === "COMMIT" || text === "ROLLBACK") this.#owner = null;
  }

  /** Whether this connection is running the transaction of `slot` now. */
  runsTransactionOf(slot: TransactionSlot): boolean {
    return this.#owner === slot;
  }

  /** Ends any transaction's claim on this connection (given back to its pool, or ended). */
  releaseOwner() {
    this.#owner = null;
    this.#early = null;
  }

  /**
   * Runs `statement` (one statement, its values already written into it as literals) and then
   * COMMIT, in one message of the simple protocol, on the connection running the transaction of
   * `slot` (docs/decisions/048). PostgreSQL commits as soon as the statement is done, without
   * waiting for this process to read its answer and send the COMMIT: a lock the statement takes
   * is held for the statement and the commit's flush, never across this process's event loop. If
   * the statement fails, PostgreSQL skips the COMMIT and the transaction is left aborted, for the
   * caller's ROLLBACK; nothing is committed. Refused unless the connection still runs that very
   * transaction.
   */
  async runAndCommit(slot: TransactionSlot, statement: string): Promise<void> {
    if (!this.runsTransactionOf(slot))
      throw new Error("runAndCommit: this connection does not run that transaction");
    this.#owner = null;
    this.#early = "committing";
    let answer: unknown;
    try {
      answer = await (this.#send as (text: string) => Promise<unknown>).call(
        this,
        `${statement};\nCOMMIT`,
      );
    } catch (error) {
      // Not committed: the transaction is aborted (or the connection gone), and the caller's
      // ROLLBACK must reach PostgreSQL.
      this.#early = null;
      throw error;
    }
    // Committed only if PostgreSQL says so: two answers, the second the COMMIT's. (A statement
    // whose text swallowed the COMMIT, a trailing comment, leaves the transaction open.)
    const answers = Array.isArray(answer) ? (answer as { command?: string }[]) : [];
    if (answers.length !== 2 || answers[1]?.command !== "COMMIT") {
      this.#early = null;
      throw new Error("runAndCommit: PostgreSQL did not answer the COMMIT; nothing is committed");
    }
    this.#early = "committed";
    slot.committed = true;
  }

  connect(): Promise<pg.Client>;
  connect(callback: ((err: Error) => void) | ((err: null, client: pg.Client) => void)): void;
  connect(
    callback?: ((err: Error) => void) | ((err: null, client: pg.Client) => void),
  ): Promise<pg.Client> | void {
    const targets = this.#targets;
    if (!targets) return callback ? super.connect(callback) : super.connect();
    const connected = (async () => {
      const index = await findPrimary(this.#config.connectionString!, this.#config);
      const host = targets.hosts[index]!;
      const self = this as unknown as {
        host: string;
        port: number;
        connectionParameters: { host: string; port: number };
      };
      self.host = self.connectionParameters.host = host.host;
      self.port = self.connectionParameters.port = host.port;
      return super.connect();
    })();
    if (!callback) return connected;
    connected.then(
      (client) => (callback as (err: null, client: pg.Client) => void)(null, client),
      (error: Error) => (callback as (err: Error) => void)(error),
    );
  }
}

/**
 * A statement sent on a connection whose transaction is committing or has committed with its last
 * statement (PrimaryClient.runAndCommit), before the connection went back to the pool: once
 * committed, the transaction manager's own COMMIT or ROLLBACK is answered here, as PostgreSQL
 * would answer it outside a transaction, without sending it (it would only draw a warning);
 * anything else is refused.
 */
function afterEarlyCommit(text: string | undefined, ended: boolean, rest: unknown[]): unknown {
  const callback = rest.findLast((arg) => typeof arg === "function") as
    ((error: Error | null, result?: unknown) => void) | undefined;
  const result = { command: text, rowCount: null, oid: null, rows: [], fields: [] };
  const error = new Error(
    "this connection's transaction is ending with its last statement: a statement after it would run outside the transaction",
  );
  if (callback) {
    process.nextTick(() => (ended ? callback(null, result) : callback(error)));
    return undefined;
  }
  return ended ? Promise.resolve(result) : Promise.reject(error);
}

/** A client for `connectionString` that finds the primary (connect it yourself). */
export function pgClient(
  connectionString: string,
  config: Omit<pg.ClientConfig, "connectionString"> = {},
): PrimaryClient {
  return new PrimaryClient({ ...config, connectionString });
}

/**
 * A pool whose every new connection finds the primary.
 *
 * A lent connection whose server dies is given back to the pool (which drops it) when its
 * socket ends: Prisma's adapter does not release a transaction's connection whose COMMIT or
 * ROLLBACK failed on a dead socket, and each such connection would otherwise stay counted as
 * lent for good: after a failover the pool would have fewer connections, and ending it would
 * wait for ever. The borrower's own release afterwards does nothing.
 */
export function pgPool(config: pg.PoolConfig & { connectionString: string }): pg.Pool {
  const pool = new pg.Pool({
    ...config,
    Client: PrimaryClient as unknown as pg.PoolConfig["Client"],
  });
  const lent = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => lent.add(client));
  pool.on("release", (_error, client) => {
    lent.delete(client);
    // A connection back in the pool runs no transaction of anyone's (decision 046).
    if (client instanceof PrimaryClient) client.releaseOwner();
  });
  pool.on("connect", (client) => {
    client.on("end", () => {
      if (!lent.has(client)) return;
      lent.delete(client);
      const release = client.release;
      client.release = () => undefined;
      release.call(client, new Error("the database connection ended while lent"));
    });
  });
  return pool;
}
