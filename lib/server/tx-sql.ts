/**
 * Raw statements of an audited transaction sent straight to the transaction's own connection
 * (docs/decisions/046). `txSql(tx).query` and `.execute` take the same tagged templates as
 * `tx.$queryRaw` and `tx.$executeRaw` and answer exactly as they do (int8 as bigint, timestamps
 * as Date, json parsed, bytea as Uint8Array, PostgreSQL's errors as Prisma's
 * PrismaClientKnownRequestError P2010), for about a sixth of the console's CPU: a Prisma raw call
 * costs 270-300 µs of it, node-postgres's own about 50 µs (docs/decisions/044).
 *
 * Straight only when `tx` is an auditedTransaction's whose connection is still running that very
 * transaction (lib/pg-connect.ts, TransactionSlot); anywhere else (a plain `$transaction`, a
 * client over another pool) the statement goes through Prisma as before. So a statement never
 * runs outside the transaction it was written for.
 *
 * NOTE: not marked "server-only", like ./audit.ts, which uses it (the seed runs in plain Node).
 */
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { Prisma } from "@/generated/prisma/client";
import { ownedConnection, type TransactionSlot } from "@/lib/pg-connect";

type Tx = Prisma.TransactionClient;

/** The slot of each open audited transaction, by its client (set by auditedTransaction). */
const slots = new WeakMap<Tx, TransactionSlot>();

/** A new slot for one transaction (auditedTransaction opens it inside inTransactionScope). */
export function transactionSlot(): TransactionSlot {
  return { connection: null, sealed: false, ending: false, committed: false };
}

/**
 * Ties the transaction's client to its slot, for txSql, as its work begins; the slot is sealed:
 * its transaction's own BEGIN has been sent, and no other may claim it.
 */
export function attachSlot(tx: Tx, slot: TransactionSlot): void {
  slot.sealed = true;
  slots.set(tx, slot);
}

let sentDirectly = 0;

/** How many statements this process sent straight to their transaction's connection (tests read it). */
export function statementsSentDirectly(): number {
  return sentDirectly;
}

type Template = readonly string[];

/** The runner of raw statements for `tx` (see above). */
export function txSql(tx: Tx) {
  return {
    /** As `tx.$queryRaw`: the rows. */
    query<T = unknown>(strings: Template, ...values: unknown[]): Promise<T[]> {
      const sql = Prisma.sql(strings, ...(values as Prisma.Sql[]));
      const connection = sendsAsPrisma(sql) ? connectionOf(tx) : null;
      if (!connection) return tx.$queryRaw<T[]>(sql);
      return send(connection, sql, "$queryRaw").then((result) => {
        // Several statements in one text (the simple protocol, with no values) answer several
        // results: refused, as tx.$queryRaw refuses them, never rows of `undefined`.
        if (Array.isArray(result))
          throw new TypeError("txSql(tx).query runs one statement, not several");
        return result.rows as T[];
      });
    },
    /** As `tx.$executeRaw`: the number of rows the statement affected (or returned). */
    execute(strings: Template, ...values: unknown[]): Promise<number> {
      const sql = Prisma.sql(strings, ...(values as Prisma.Sql[]));
      const connection = sendsAsPrisma(sql) ? connectionOf(tx) : null;
      if (!connection) return tx.$executeRaw(sql);
      return send(connection, sql, "$executeRaw").then((result) => result.rowCount ?? 0);
    },
  };
}

/** The values executeThenCommit writes as literals: no number, whose text PostgreSQL reads its own way. */
type Literal = string | boolean | null;

/**
 * An audited transaction's append, then its COMMIT in the same message (docs/decisions/048):
 * PostgreSQL commits without waiting for this process to read the append's answer. Only the
 * append may call it, as auditedTransaction's last step (`endingWork` has marked the slot); called
 * from a transaction's work it is refused, since it would commit the work half done. Its values
 * are written into the text as literals (the simple protocol takes no parameters): text escaped by
 * node-postgres, booleans and null. On a connection `txSql` would not send to straight (another
 * pool), the statement runs as `execute` runs it and Prisma commits afterwards, as before. Nothing
 * may follow it: the connection refuses any statement but Prisma's own ending until it is back in
 * its pool.
 */
export function executeThenCommit(tx: Tx) {
  return (strings: Template, ...values: Literal[]) => appendThenCommit(tx, strings, values);
}

async function appendThenCommit(tx: Tx, strings: Template, values: Literal[]): Promise<void> {
  const slot = slots.get(tx);
  if (!slot?.ending)
    throw new Error("executeThenCommit is the audit append's alone: it ends the transaction");
  if (strings.some((part) => part.includes("$") || part.includes(";")))
    throw new TypeError("executeThenCommit takes one statement, with no $ of its own");
  const sql = Prisma.sql(strings, ...(values as unknown as Prisma.Sql[]));
  const connection = sql.values.every(hasLiteral) ? ownedConnection(slot) : null;
  if (!connection) {
    await txSql(tx).execute(strings, ...values);
    return;
  }
  sentDirectly++;
  const text = sql.text.replace(/\$(\d+)/g, (_, n: string) =>
    literal(connection, sql.values[Number(n) - 1] as Literal),
  );
  try {
    await connection.runAndCommit(slot, text);
  } catch (error) {
    throw asPrismaError(error, "$executeRaw");
  }
}

/** Marks the transaction's work done: its append may now end it (executeThenCommit). */
export function endingWork(tx: Tx): void {
  const slot = slots.get(tx);
  if (slot) slot.ending = true;
}

/** Whether `value` has a literal here (executeThenCommit). */
function hasLiteral(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "boolean";
}

/** The value as an SQL literal: text escaped by node-postgres, a boolean or null as PostgreSQL reads them. */
function literal(connection: pg.Client, value: Literal): string {
  if (value === null) return "NULL";
  if (typeof value === "string") return connection.escapeLiteral(value);
  return value ? "TRUE" : "FALSE";
}

function connectionOf(tx: Tx) {
  const slot = slots.get(tx);
  if (!slot) return null;
  const connection = ownedConnection(slot);
  if (connection) sentDirectly++;
  return connection;
}

/**
 * Sends the statement at once (between the ownership check and here nothing awaits, so no COMMIT
 * can come first), with its values as Prisma would send them.
 */
async function send(
  connection: pg.Client,
  sql: Prisma.Sql,
  statement: "$queryRaw" | "$executeRaw",
): Promise<pg.QueryResult> {
  try {
    return await connection.query({
      text: sql.text,
      values: sql.values.map(asPrismaSends),
      types: PRISMA_TYPES,
    });
  } catch (error) {
    throw asPrismaError(error, statement);
  }
}

/**
 * Whether every value is of a kind sent here exactly as Prisma sends it: text, a finite number, a
 * boolean, null, a bigint, bytes, a Date inside the years 0 to 9999, or an array of those. Any
 * other (an object sent as JSON, NaN or an infinity, an invalid Date) goes through Prisma, which
 * writes it (or refuses it) its own way.
 */
function sendsAsPrisma(sql: Prisma.Sql): boolean {
  const plain = (value: unknown): boolean => {
    if (value === null || value === undefined) return true;
    if (typeof value === "string" || typeof value === "boolean" || typeof value === "bigint")
      return true;
    if (typeof value === "number") return Number.isFinite(value);
    if (value instanceof Date) {
      const year = value.getUTCFullYear();
      return !Number.isNaN(value.getTime()) && year >= 0 && year <= 9999;
    }
    if (ArrayBuffer.isView(value)) return true;
    if (Array.isArray(value)) return value.every((item) => !Array.isArray(item) && plain(item));
    return false;
  };
  return sql.values.every(plain);
}

/** A value as Prisma's raw queries send it over @prisma/adapter-pg. */
function asPrismaSends(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(asPrismaSends);
  // A moment: UTC, without a zone (the adapter's formatDateTime).
  if (value instanceof Date) return formatDateTime(value);
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Prisma.Decimal.isDecimal(value)) return value.toString();
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

function formatDateTime(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const ms = date.getUTCMilliseconds();
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    (ms ? `.${String(ms).padStart(3, "0")}` : "")
  );
}

const OID = {
  BOOL: 16,
  BYTEA: 17,
  NAME: 19,
  INT8: 20,
  INT2: 21,
  INT4: 23,
  TEXT: 25,
  JSON: 114,
  FLOAT4: 700,
  FLOAT8: 701,
  BPCHAR: 1042,
  VARCHAR: 1043,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  NUMERIC: 1700,
  VOID: 2278,
  UUID: 2950,
  JSONB: 3802,
  BOOL_ARRAY: 1000,
  BYTEA_ARRAY: 1001,
  INT2_ARRAY: 1005,
  INT4_ARRAY: 1007,
  TEXT_ARRAY: 1009,
  VARCHAR_ARRAY: 1015,
  INT8_ARRAY: 1016,
  TIMESTAMP_ARRAY: 1115,
  TIMESTAMPTZ_ARRAY: 1185,
  UUID_ARRAY: 2951,
  JSONB_ARRAY: 3807,
} as const;

/** Types created by migrations (enums): text, as Prisma's adapter answers them. */
const FIRST_NORMAL_OBJECT_ID = 16384;

const text = (value: string) => value;
/** node-postgres's own parser of a type (its typings list only the scalar type ids). */
const builtIn = (oid: number) =>
  pg.types.getTypeParser(oid as Parameters<typeof pg.types.getTypeParser>[0]) as (
    value: string,
  ) => unknown;
/** A timestamp without a zone: UTC (Prisma's DateTime), whatever the session's time zone. */
const utcTimestamp = (value: string) => new Date(`${value.replace(" ", "T")}+00:00`);
/**
 * A timestamptz, as Prisma's adapter reads it: its offset replaced by UTC's. Right in a UTC
 * session (the console's); in another, Prisma's answer is the session's wall-clock time read as
 * UTC, and so is this one.
 */
const asPrismaReadsTimestamptz = (value: string) =>
  new Date(value.replace(" ", "T").replace(/[+-]\d{2}(:\d{2})?$/, "+00:00"));
/** A date as UTC midnight; a year past 9999 in ISO's extended form, as Prisma reads it. */
const asPrismaReadsDate = (value: string) => {
  const far = /^(\d{5,})(-.*)$/.exec(value);
  return new Date(far ? `+${far[1]!.padStart(6, "0")}${far[2]}T00:00:00Z` : `${value}T00:00:00Z`);
};
const arrayOf = (parse: (value: string) => unknown) => {
  const parseArray = builtIn(OID.TEXT_ARRAY) as (value: string) => (string | null)[];
  return (value: string) => parseArray(value).map((item) => (item === null ? null : parse(item)));
};
const asBytes = (buffer: Buffer) =>
  new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
const parseBytea = pg.types.getTypeParser(OID.BYTEA) as (value: string) => Buffer;

/**
 * Each column as `tx.$queryRaw` answers it (@prisma/adapter-pg, then Prisma's own decoding):
 * int8 as bigint, numeric as Prisma.Decimal, timestamp (Prisma's DateTime, UTC without a zone)
 * and timestamptz as Date (see asPrismaReadsTimestamptz), date as Date at UTC midnight, json
 * parsed, bytea as Uint8Array, enums as text.
 */
const PARSERS = new Map<number, (value: string) => unknown>([
  [OID.BOOL, pg.types.getTypeParser(OID.BOOL)],
  [OID.INT2, pg.types.getTypeParser(OID.INT2)],
  [OID.INT4, pg.types.getTypeParser(OID.INT4)],
  [OID.FLOAT4, pg.types.getTypeParser(OID.FLOAT4)],
  [OID.FLOAT8, pg.types.getTypeParser(OID.FLOAT8)],
  [OID.INT8, (value: string) => BigInt(value)],
  [OID.NUMERIC, (value: string) => new Prisma.Decimal(value)],
  [OID.NAME, text],
  [OID.TEXT, text],
  [OID.BPCHAR, text],
  [OID.VARCHAR, text],
  [OID.UUID, text],
  [OID.VOID, text],
  [OID.JSON, (value: string) => JSON.parse(value) as unknown],
  [OID.JSONB, (value: string) => JSON.parse(value) as unknown],
  [OID.BYTEA, (value: string) => asBytes(parseBytea(value))],
  [OID.TIMESTAMP, utcTimestamp],
  [OID.TIMESTAMPTZ, asPrismaReadsTimestamptz],
  [OID.DATE, asPrismaReadsDate],
  [OID.BOOL_ARRAY, builtIn(OID.BOOL_ARRAY)],
  [OID.INT2_ARRAY, builtIn(OID.INT2_ARRAY)],
  [OID.INT4_ARRAY, builtIn(OID.INT4_ARRAY)],
  [OID.INT8_ARRAY, arrayOf((value) => BigInt(value))],
  [OID.TEXT_ARRAY, arrayOf(text)],
  [OID.VARCHAR_ARRAY, arrayOf(text)],
  [OID.UUID_ARRAY, arrayOf(text)],
  [OID.JSONB_ARRAY, arrayOf((value) => JSON.parse(value) as unknown)],
  [OID.TIMESTAMP_ARRAY, arrayOf(utcTimestamp)],
  [OID.TIMESTAMPTZ_ARRAY, arrayOf(asPrismaReadsTimestamptz)],
  [OID.BYTEA_ARRAY, arrayOf((value) => asBytes(parseBytea(value)))],
]);

const PRISMA_TYPES = {
  getTypeParser(oid: number) {
    const parse = PARSERS.get(oid);
    if (parse) return parse;
    if (oid >= FIRST_NORMAL_OBJECT_ID) return text;
    // Never a value of another shape than Prisma's: the statement fails (and its transaction),
    // from the row's parsing, where node-postgres turns a throw into the query's error.
    return () => {
      throw new Error(
        `txSql does not read columns of type ${oid} as Prisma does: use tx.$queryRaw for this statement`,
      );
    };
  },
} as unknown as pg.CustomTypesConfig;

/**
 * PostgreSQL's error as Prisma raises it for a raw statement (@prisma/adapter-pg's
 * convertDriverError, then Prisma's raw-query error): PrismaClientKnownRequestError P2010 whatever
 * the SQLSTATE (a unique violation too), the SQLSTATE and message in its message, and in `meta`
 * the adapter's DriverAdapterError, whose cause holds them (isDatabaseUnavailable reads it). Anything else (a lost
 * connection) is thrown as node-postgres gives it, which isDatabaseUnavailable knows too.
 */
function asPrismaError(error: unknown, statement: "$queryRaw" | "$executeRaw"): unknown {
  if (!(error instanceof pg.DatabaseError) || typeof error.severity !== "string") return error;
  const cause = {
    originalCode: error.code,
    originalMessage: error.message,
    ...adapterKindOf(error),
  };
  return new Prisma.PrismaClientKnownRequestError(
    `\nInvalid \`prisma.${statement}()\` invocation:\n\n\nRaw query failed. Code: \`${error.code ?? "N/A"}\`. Message: \`${error.message}\``,
    {
      code: "P2010",
      clientVersion: Prisma.prismaVersion.client,
      meta: {
        driverAdapterError: new DriverAdapterError(cause as DriverAdapterErrorPayload),
      },
    },
  );
}

type DriverAdapterErrorPayload = ConstructorParameters<typeof DriverAdapterError>[0];

/** @prisma/adapter-pg's mapDriverError (6.19): the kind it gives each SQLSTATE. */
function adapterKindOf(error: pg.DatabaseError): Record<string, unknown> {
  const fields = () => {
    const listed = error.detail
      ?.match(/Key \(([^)]+)\)/)
      ?.at(1)
      ?.split(", ");
    return listed !== undefined ? { fields: listed } : undefined;
  };
  const quoted = (part: string | undefined) => part?.split('"').at(1);
  switch (error.code) {
    case "22001":
      return { kind: "LengthMismatch", column: error.column };
    case "22003":
      return { kind: "ValueOutOfRange", cause: error.message };
    case "23505":
      return { kind: "UniqueConstraintViolation", constraint: fields() };
    case "23502":
      return { kind: "NullConstraintViolation", constraint: fields() };
    case "23503":
      return {
        kind: "ForeignKeyConstraintViolation",
        constraint: error.column
          ? { fields: [error.column] }
          : error.constraint
            ? { index: error.constraint }
            : undefined,
      };
    case "3D000":
      return { kind: "DatabaseDoesNotExist", db: quoted(error.message.split(" ").at(1)) };
    case "28000":
      return {
        kind: "DatabaseAccessDenied",
        db: quoted(error.message.split(",").find((s) => s.startsWith(" database"))),
      };
    case "28P01":
      return { kind: "AuthenticationFailed", user: quoted(error.message.split(" ").pop()) };
    case "40001":
      return { kind: "TransactionWriteConflict" };
    case "42P01":
      return { kind: "TableDoesNotExist", table: quoted(error.message.split(" ").at(1)) };
    case "42703":
      return { kind: "ColumnNotFound", column: quoted(error.message.split(" ").at(1)) };
    case "42P04":
      return { kind: "DatabaseAlreadyExists", db: quoted(error.message.split(" ").at(1)) };
    case "53300":
      return { kind: "TooManyConnections", cause: error.message };
    default:
      return {
        kind: "postgres",
        code: error.code ?? "N/A",
        severity: error.severity ?? "N/A",
        message: error.message,
        detail: error.detail,
        column: error.column,
        hint: error.hint,
      };
  }
}
