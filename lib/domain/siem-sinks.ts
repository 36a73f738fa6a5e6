/**
 * Where the audit trail is streamed (docs/decisions/019-siem-streaming.md): the SIEM_SINKS
 * configuration, parsed and checked here, and the pure rules of delivery (backoff, which refusals
 * are permanent, how a sink is described without its secret). The HMAC key of a webhook is never
 * written in SIEM_SINKS itself: `secretFile` names a file, `secretEnv` an environment variable.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import { hmacKeysFromText } from "./webhook-signature";

export const SIEM_FORMATS = ["jsonl", "ocsf"] as const;
export type SiemFormat = (typeof SIEM_FORMATS)[number];

export const SIEM_DEFAULTS = {
  batchSize: 100,
  maxAttempts: 8,
  timeoutMs: 10_000,
  /** The first retry waits about this long; each further one twice as long, up to maxBackoffMs. */
  baseBackoffMs: 5_000,
  maxBackoffMs: 15 * 60_000,
} as const;

/** RFC 5424 facilities by name (local0–local7 are the usual choice for an application). */
export const SYSLOG_FACILITIES = {
  kern: 0,
  user: 1,
  daemon: 3,
  auth: 4,
  syslog: 5,
  authpriv: 10,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;
export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

const name = z
  .string({ message: "every sink needs a name" })
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/i,
    "a sink name is 1 to 63 letters, digits, '.', '_' or '-' (it keys the sink's cursor)",
  );
const format = z.enum(SIEM_FORMATS, { message: 'format is "jsonl" or "ocsf"' });
const common = {
  name,
  format: format.default("jsonl"),
  batchSize: z
    .number({ message: "batchSize is a number of events" })
    .int("batchSize is a whole number")
    .min(1, "batchSize is at least 1")
    .max(1000, "batchSize is at most 1000")
    .default(SIEM_DEFAULTS.batchSize),
  maxAttempts: z
    .number({ message: "maxAttempts is a number of tries" })
    .int("maxAttempts is a whole number")
    .min(1, "maxAttempts is at least 1")
    .max(100, "maxAttempts is at most 100")
    .default(SIEM_DEFAULTS.maxAttempts),
  timeoutMs: z
    .number({ message: "timeoutMs is a number of milliseconds" })
    .int("timeoutMs is a whole number of milliseconds")
    .min(100, "timeoutMs is at least 100")
    .max(120_000, "timeoutMs is at most 120000")
    .default(SIEM_DEFAULTS.timeoutMs),
};

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Header names the console sets itself, which configuration may not replace. */
const RESERVED_HEADERS = new Set([
  "content-type",
  "content-length",
  "host",
  "idempotency-key",
  "x-console-signature",
  "x-console-timestamp",
  "x-console-batch",
]);

const webhook = z
  .object({
    ...common,
    type: z.literal("webhook"),
    url: z.url({ message: "url is not a URL" }).refine((value) => {
      const url = new URL(value);
      return (
        url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname))
      );
    }, "url must be https (http only to localhost or 127.0.0.1, for tests and the demo)"),
    secretFile: z.string().min(1, "secretFile names a file").optional(),
    secretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, "secretEnv names an environment variable, e.g. SIEM_HMAC_KEY")
      .optional(),
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a header name is letters, digits and '-'"),
        z
          .string()
          .max(1000, "a header value is at most 1000 characters")
          .regex(/^[\x20-\x7e]*$/, "a header value is printable ASCII"),
      )
      .default({})
      .refine(
        (headers) => Object.keys(headers).every((key) => !RESERVED_HEADERS.has(key.toLowerCase())),
        "headers may not replace Content-Type, Idempotency-Key or the X-Console-* headers",
      ),
  })
  .strict()
  .refine((sink) => Boolean(sink.secretFile) !== Boolean(sink.secretEnv), {
    message:
      "a webhook needs its HMAC key from exactly one of secretFile or secretEnv (never the key itself)",
    path: ["secretFile"],
  });

const syslog = z
  .object({
    ...common,
    type: z.literal("syslog"),
    host: z
      .string({ message: "host is the syslog server's name or address" })
      .min(1, "host is the syslog server's name or address")
      .max(253)
      .regex(/^[A-Za-z0-9.:_-]+$/, "host is a host name or an IP address"),
    port: z
      .number({ message: "port is a number" })
      .int("port is a whole number")
      .min(1, "port is 1 to 65535")
      .max(65535, "port is 1 to 65535"),
    transport: z.enum(["tcp", "tls"], { message: 'transport is "tcp" or "tls"' }).default("tls"),
    caFile: z.string().min(1).optional(),
    appName: z
      .string()
      .regex(/^[\x21-\x7e]{1,48}$/, "appName is 1 to 48 printable ASCII characters, no spaces")
      .default("recovery-console"),
    facility: z
      .enum(Object.keys(SYSLOG_FACILITIES) as [SyslogFacility, ...SyslogFacility[]], {
        message: `facility is one of ${Object.keys(SYSLOG_FACILITIES).join(", ")}`,
      })
      .default("authpriv"),
  })
  .strict()
  .refine((sink) => sink.transport === "tls" || !sink.caFile, {
    message: 'caFile is only for transport "tls"',
    path: ["caFile"],
  });

const sink = z.discriminatedUnion("type", [webhook, syslog], {
  message: 'every sink has a type: "webhook" or "syslog"',
});

const SinksSchema = z
  .array(sink, { message: "SIEM_SINKS is a JSON list of sinks: [{…}, …]" })
  .superRefine((sinks, ctx) => {
    const seen = new Set<string>();
    sinks.forEach((s, index) => {
      if (seen.has(s.name))
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `the name "${s.name}" is used twice (each sink has its own cursor)`,
        });
      seen.add(s.name);
    });
  });

export type WebhookSinkConfig = z.output<typeof webhook>;
export type SyslogSinkConfig = z.output<typeof syslog>;

/** A webhook whose HMAC key is resolved: a file read at each send, or the variable's value. */
export type WebhookSink = Omit<WebhookSinkConfig, "secretEnv" | "secretFile"> & {
  secret: { file: string } | { env: string; value: string };
};
export type SyslogSink = SyslogSinkConfig;
export type SiemSink = WebhookSink | SyslogSink;

/**
 * Parses SIEM_SINKS. Unset or blank: no sinks. Throws an Error whose message names the sink
 * and the field at fault; it never repeats a value read through secretEnv.
 */
export function parseSiemSinks(
  value: string | undefined,
  environment: Record<string, string | undefined> = {},
): SiemSink[] {
  if (!value || !value.trim()) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new Error(`SIEM_SINKS is not JSON (${(error as Error).message})`);
  }
  const parsed = SinksSchema.safeParse(json);
  if (!parsed.success) {
    const raw = Array.isArray(json) ? json : [];
    const problems = parsed.error.issues.map((issue) => {
      const [index, ...field] = issue.path;
      const entry = typeof index === "number" ? raw[index] : undefined;
      const label =
        typeof index === "number"
          ? `sink ${index + 1}${entry && typeof entry.name === "string" ? ` ("${entry.name}")` : ""}`
          : "SIEM_SINKS";
      return `${label}${field.length ? ` ${field.join(".")}` : ""}: ${issue.message}`;
    });
    throw new Error(`SIEM_SINKS is not valid: ${problems.join("; ")}`);
  }
  return parsed.data.map((s) => {
    if (s.type === "syslog") return s;
    const { secretEnv, secretFile, ...rest } = s;
    if (secretFile) return { ...rest, secret: { file: secretFile } };
    const secret = environment[secretEnv!];
    const keys = secret ? hmacKeysFromText(secret) : null;
    if (!keys?.ok)
      throw new Error(
        `SIEM_SINKS is not valid: sink "${s.name}" secretEnv: ${secretEnv} must be set to an HMAC key of at least 32 characters (two lines while rotating, the new key first)`,
      );
    return { ...rest, secret: { env: secretEnv!, value: secret! } };
  });
}

/** Where a sink sends, for people: no secret, no credentials a URL might carry, no query string. */
export function describeSink(sink: SiemSink): string {
  if (sink.type === "syslog") return `${sink.transport}://${sink.host}:${sink.port}`;
  const url = new URL(sink.url);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * How long to wait before the next try after `attempts` failed ones (1, 2, …): exponential,
 * capped, with full jitter in its upper half so that several consoles do not retry in step.
 */
export function backoffMs(
  attempts: number,
  random: () => number = () => randomInt(1_000_001) / 1_000_000,
  limits: { baseMs: number; maxMs: number } = {
    baseMs: SIEM_DEFAULTS.baseBackoffMs,
    maxMs: SIEM_DEFAULTS.maxBackoffMs,
  },
): number {
  const ceiling = Math.min(limits.maxMs, limits.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** A refusal that retrying cannot fix: a 4xx other than 408 (timeout) and 429 (slow down). */
export function permanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}
