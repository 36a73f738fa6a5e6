/**
 * The lock order (user → case → row) holds only if nothing outside the case unit of work takes a
 * row lock of its own: a path that locked a case or a link before the user could deadlock with
 * every other path. So `FOR UPDATE` may appear only in lib/server/cases/unit-of-work.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const UNIT_OF_WORK = "lib/server/cases/unit-of-work.ts";
/**
 * The one allowed exception: the outbox worker claims one queued message at a time with
 * `FOR UPDATE SKIP LOCKED`. Those are claims of independent messages, each in its own short
 * transaction; no user, case or recovery row is locked, so it cannot take part in the lock order.
 */
const OUTBOX_WORKER = "lib/server/deliver-outbox.ts";
/**
 * Likewise the SIEM deliverer claims a sink's cursor (and a replay its dead letter) with
 * `FOR UPDATE SKIP LOCKED`: rows of its own two tables, nothing a recovery path locks.
 */
const SIEM_DELIVERER = "lib/server/siem/deliver.ts";
/**
 * And the verification worker claims a queued full verification the same way: a row of its own
 * table, in one statement, nothing a recovery path locks.
 */
const VERIFICATION_RUNS = "lib/server/verification-runs.ts";
/** And the ITSM webhooks claim an endpoint's row (its cursor) the same way (decision 035). */
const WEBHOOK_DELIVERER = "lib/server/webhooks/deliver.ts";
/** And the Shared Signals deliverer claims a stream's row the same way (decision 034). */
const SSF_DELIVERER = "lib/server/ssf/deliver.ts";

/** Every .ts (and .tsx) file under a folder, as a path relative to the repository. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) =>
      path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"),
    )
    .sort();
}

const FOR_UPDATE = /\bFOR\s+UPDATE\b(\s+SKIP\s+LOCKED\b)?/gi;

function lockClauses(file: string) {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(FOR_UPDATE)].map((match) => ({
    clause: match[0],
    skipLocked: Boolean(match[1]),
  }));
}

describe("row locks are taken only by the case unit of work", () => {
  const files = [...sourceFiles("lib"), ...sourceFiles("app")];

  it("reads the application's source (lib/ and app/), the unit of work and the outbox worker among it", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain(UNIT_OF_WORK);
    expect(files).toContain(OUTBOX_WORKER);
    expect(files.some((file) => file.startsWith("app/"))).toBe(true);
  });

  it("FOR UPDATE appears nowhere but the unit of work (so no path can lock out of order)", () => {
    const offenders = files
      .filter(
        (file) =>
          ![
            UNIT_OF_WORK,
            OUTBOX_WORKER,
            SIEM_DELIVERER,
            VERIFICATION_RUNS,
            WEBHOOK_DELIVERER,
            SSF_DELIVERER,
          ].includes(file),
      )
      .flatMap((file) => lockClauses(file).map(({ clause }) => `${file}: ${clause}`));
    expect(offenders).toEqual([]);
    // The unit of work does take them: the lock order is implemented there, and the test above is not vacuous.
    expect(lockClauses(UNIT_OF_WORK).length).toBeGreaterThan(0);
  });

  it("the outbox worker only ever claims messages with FOR UPDATE SKIP LOCKED, never a plain FOR UPDATE", () => {
    const clauses = lockClauses(OUTBOX_WORKER);
    expect(clauses.length).toBeGreaterThan(0);
    expect(clauses.filter((c) => !c.skipLocked).map((c) => c.clause)).toEqual([]);
    const text = readFileSync(path.join(ROOT, OUTBOX_WORKER), "utf8");
    const queries = [...text.matchAll(/\$queryRaw[\s\S]*?`([\s\S]*?)`/g)].map((match) => match[1]!);
    const locking = queries.filter((sql) => /\bFOR\s+UPDATE\b/i.test(sql));
    // The only locking query reads the outbox table, nothing a recovery path locks.
    expect(locking.length).toBeGreaterThan(0);
    for (const sql of locking)
      expect(sql.match(/FROM\s+"(\w+)"/g)).toEqual(['FROM "OutboxMessage"']);
  });

  it("the SIEM deliverer only claims its cursors and dead letters, with FOR UPDATE SKIP LOCKED", () => {
    const clauses = lockClauses(SIEM_DELIVERER);
    expect(clauses.length).toBeGreaterThan(0);
    expect(clauses.filter((c) => !c.skipLocked).map((c) => c.clause)).toEqual([]);
    const text = readFileSync(path.join(ROOT, SIEM_DELIVERER), "utf8");
    const queries = [...text.matchAll(/\$queryRaw[\s\S]*?`([\s\S]*?)`/g)].map((match) => match[1]!);
    const locking = queries.filter((sql) => /\bFOR\s+UPDATE\b/i.test(sql));
    expect(locking.length).toBe(2);
    expect(locking.flatMap((sql) => sql.match(/FROM\s+"(\w+)"/g))).toEqual([
      'FROM "SiemCursor"',
      'FROM "SiemDeadLetter"',
    ]);
  });

  it("the webhook deliverer takes no row lock: it claims an endpoint with a transaction-scoped advisory lock that it only tries", () => {
    // A rotation of the endpoint's secret or a disable must never wait behind a slow receiver.
    expect(lockClauses(WEBHOOK_DELIVERER)).toEqual([]);
    const text = readFileSync(path.join(ROOT, WEBHOOK_DELIVERER), "utf8");
    expect(text).toMatch(/pg_try_advisory_xact_lock\(/);
    expect(text).not.toMatch(/pg_advisory_(xact_)?lock\(/);
  });

  it("the Shared Signals deliverer claims a poll's stream row with FOR UPDATE SKIP LOCKED, and a push stream with an advisory lock it only tries", () => {
    const clauses = lockClauses(SSF_DELIVERER);
    expect(clauses.length).toBeGreaterThan(0);
    expect(clauses.every((c) => c.skipLocked)).toBe(true);
    const text = readFileSync(path.join(ROOT, SSF_DELIVERER), "utf8");
    const queries = [...text.matchAll(/\$queryRaw[\s\S]*?`([\s\S]*?)`/g)].map((match) => match[1]!);
    const locking = queries.filter((sql) => /\bFOR\s+UPDATE\b/i.test(sql));
    // The poll's claim: a poll sends nothing over the network while it holds the row.
    expect(locking.flatMap((sql) => sql.match(/FROM\s+"(\w+)"/g))).toEqual(['FROM "SsfStream"']);
    // A push waits for a receiver: its claim holds no row, so revoking the receiver's token or the
    // receiver changing its stream never waits behind it.
    expect(text).toMatch(/pg_try_advisory_xact_lock\(/);
    expect(text).not.toMatch(/pg_advisory_(xact_)?lock\(/);
  });

  it("the verification worker only claims queued runs, with FOR UPDATE SKIP LOCKED", () => {
    const clauses = lockClauses(VERIFICATION_RUNS);
    expect(clauses.length).toBe(1);
    expect(clauses.every((c) => c.skipLocked)).toBe(true);
    const text = readFileSync(path.join(ROOT, VERIFICATION_RUNS), "utf8");
    const queries = [...text.matchAll(/\$queryRaw[\s\S]*?`([\s\S]*?)`/g)].map((match) => match[1]!);
    const locking = queries.filter((sql) => /\bFOR\s+UPDATE\b/i.test(sql));
    expect(locking).toHaveLength(1);
    expect(locking[0]!.match(/FROM\s+"(\w+)"/g)).toEqual([
      'FROM "AuditEvent"',
      'FROM "AuditVerification"',
    ]);
  });
});
