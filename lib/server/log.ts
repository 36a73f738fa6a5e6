/**
 * The console's one logger: pino, JSON lines (docs/decisions/041-health-metrics-and-logs.md).
 *
 * - One per process, on globalThis: Next evaluates a bundled module twice per process (pages and
 *   actions, route handlers), and the server's edge (scripts/lib/edge.ts) loads it outside the
 *   bundle; all of them write through the same logger and the same request scope.
 * - The request ID: the edge runs each request inside `withRequestScope`, so every line logged
 *   while Next handles it (a server action's, a route handler's, a page's) carries `requestId`.
 * - Never a secret: headers that carry credentials and fields named like a secret are replaced
 *   by "[redacted]" wherever they sit (REDACT_PATHS); paths are logged through
 *   lib/domain/loggable-path.ts, never raw.
 * - LOG_LEVEL (default info) and LOG_FILE (default standard output) from lib/env.ts; the tests
 *   run with LOG_LEVEL=silent (tests/setup.ts) and give createLogger their own destination.
 *
 * NOTE: not marked "server-only": the edge (plain Node, outside Next) imports it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger } from "pino";

export type RequestScope = { requestId: string };

type Shared = { scope: AsyncLocalStorage<RequestScope>; logger?: Logger };
const globalForLog = globalThis as unknown as { consoleLog?: Shared };
const shared: Shared = (globalForLog.consoleLog ??= { scope: new AsyncLocalStorage() });

/** Field names whose value is never logged, at the top of a line or one or two levels down. */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  '["set-cookie"]',
  "password",
  "pass",
  "passcode",
  "token",
  "secret",
  "otp",
  "recoveryCode",
  "sessionToken",
  "accessToken",
  "refreshToken",
  "idToken",
  "clientSecret",
  "body",
];

/** Each name also as HTTP spells it on the wire or in outgoing options (Authorization, Set-Cookie). */
const capitalised = (field: string) =>
  field.replace(
    /(^|\["|-)([a-z])/g,
    (_, before: string, letter: string) => before + letter.toUpperCase(),
  );
const SPELLINGS = [...new Set(SECRET_FIELDS.flatMap((field) => [field, capitalised(field)]))];

export const REDACT_PATHS = SPELLINGS.flatMap((field) => {
  const at = (parent: string) =>
    field.startsWith("[") ? `${parent}${field}` : `${parent}.${field}`;
  return [field, at("*"), at("*.*")];
});

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** A logger with the console's format; `destination` for tests (a buffer). */
export function createLogger(options: {
  level: LogLevel;
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      mixin: () => {
        const scope = shared.scope.getStore();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The process's logger, made on first use from LOG_LEVEL and LOG_FILE.
 *
 * NOTE: read from process.env here, not through lib/env.ts: the edge and the scripts load this
 * module without the app's whole environment. Their values are validated by lib/env-schema.ts
 * (scripts/start.ts checks them before the server starts).
 */
export function log(): Logger {
  if (shared.logger) return shared.logger;
  const level = (process.env.LOG_LEVEL || "info") as LogLevel;
  const file = process.env.LOG_FILE;
  shared.logger = createLogger({
    level,
    destination: file
      ? pino.destination({ dest: file, append: true, mkdir: true, sync: true })
      : undefined,
  });
  return shared.logger;
}

/** Uses `logger` as the process's logger (the server sets it once at start). */
export function setLogger(logger: Logger): void {
  shared.logger = logger;
}

/** Runs `fn` as part of one request: every line logged meanwhile carries its request ID. */
export function withRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return shared.scope.run(scope, fn);
}

/** The request ID of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return shared.scope.getStore()?.requestId;
}
