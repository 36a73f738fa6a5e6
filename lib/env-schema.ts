/**
 * The console's configuration schema (lib/env.ts validates process.env with it once, at import)
 * and the one way its problems are told: one line per variable, saying what is wrong and what to
 * do. The start script (scripts/start.ts) checks the environment it will give the console with
 * `configurationProblems` before it starts anything, so a bad variable is one clear line, never a
 * stack trace from the server process.
 *
 * NOTE: no process.env here except through the SIEM_SINKS check, whose `secretEnv` names a variable
 * of the environment (the same one the console runs with).
 */
import { z } from "zod";
import { rateLimits } from "@/lib/domain/rate-limits";
import { STEP_UP_WINDOW } from "@/lib/domain/step-up";
import { MAX_TRUSTED_PROXY_HOPS } from "./domain/client-address";
import { isKeyName } from "./domain/tlog/note";
import { parseWitnesses } from "./domain/witness-config";
import { parseSiemSinks } from "./domain/siem-sinks";
import { parsePhoneRegions } from "./domain/directory-query";
import { databaseUrlShapeProblem } from "./domain/database-url";

const onOff = z.enum(["on", "off"]);

export const serverShape = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** PostgreSQL the console uses. `npm start` starts an embedded server when it is unset. */
  /** One host, or a primary and its standbys in libpq's syntax with target_session_attrs=read-write (decision 043). */
  DATABASE_URL: z.string().superRefine((value, ctx) => {
    const problem = databaseUrlShapeProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  /**
   * Connections this process keeps to PostgreSQL. Beyond it, work waits its turn (up to 30 s)
   * rather than failing; a few per database core is plenty (lib/create-db.ts).
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** The console's public URL. https makes session cookies `__Host-` and Secure. */
  NEXTAUTH_URL: z.url({ protocol: /^https?$/ }).default("http://localhost:3000"),
  /** Signs next-auth's sign-in state cookies (OIDC state, PKCE, CSRF). At least 32 characters. */
  NEXTAUTH_SECRET: z.string().min(32, "it has fewer than 32 characters"),
  /** Demo sign-in (pick a seeded staff member). `npm start` turns it on for the embedded database only. */
  DEMO_SIGN_IN: onOff.default("off"),
  /** Staff single sign-on through any OpenID Connect provider. All three or none. */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The claim naming the console role: AGENT, SUPERVISOR or SECURITY (exactly one). */
  OIDC_ROLE_CLAIM: z.string().min(1).default("console_role"),
  /** The claim naming the staff member's team (agents and supervisors work their team's cases only). */
  OIDC_TEAM_CLAIM: z.string().min(1).default("console_team"),
  /**
   * `acr` values that mean the provider verified a phishing-resistant authenticator at sign-in
   * (space-separated). Such a sign-in counts as a step-up until the window passes (decision 015).
   */
  OIDC_PHISHING_RESISTANT_ACR: z.string().default("phr phrh"),
  /** `amr` values that mean the same (space-separated). None by default: see decision 015. */
  OIDC_PHISHING_RESISTANT_AMR: z.string().optional(),
  /** How long a staff member's last user verification lets them do high-risk acts, in minutes. */
  STEP_UP_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(STEP_UP_WINDOW.minMinutes)
    .max(STEP_UP_WINDOW.maxMinutes)
    .default(STEP_UP_WINDOW.defaultMinutes),
  /** The provider's name on the sign-in button. */
  OIDC_DISPLAY_NAME: z.string().min(1).default("Single sign-on"),
  /** SMTP server for notifications (smtp:// or smtps://). Unset: the demo mailbox at /mailbox. */
  SMTP_URL: z.url().optional(),
  /** Ed25519 private key (PKCS#8 PEM file) that signs audit checkpoints; the database role never reads it. */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** The matching public key (SPKI PEM file), trusted when verifying checkpoints. */
  AUDIT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** Where a copy of every checkpoint is kept outside the database: a directory or an http(s) URL. */
  AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
  /** Ed25519 private key (PKCS#8 PEM file) that signs every audit event; the database never reads it. */
  AUDIT_EVENT_KEY_FILE: z.string().min(1),
  /** RSA (RS256) or P-256 (ES256) private key, PKCS#8 PEM file, that signs Shared Signals events (decision 034). Unset: no transmitter. */
  SSF_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** "allow": Shared Signals push endpoints may be on this machine or a private network (development, tests). */
  SSF_PRIVATE_ENDPOINTS: z.enum(["allow", "refuse"]).default("refuse"),
  /** Retired event keys' public halves (SPKI PEM files, comma-separated), still trusted when verifying. */
  AUDIT_EVENT_PUBLIC_KEY_FILES: z.string().optional(),
  /** The audit log's name in its checkpoints (default: the console's host followed by /audit). */
  AUDIT_LOG_ORIGIN: z.string().min(1).max(200).refine(isKeyName, "no spaces or '+'").optional(),
  /** At most this long between checkpoints while audit events arrive, in seconds. */
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** The witnesses that cosign checkpoints: a JSON list of {name, url, vkey}. */
  AUDIT_WITNESSES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseWitnesses(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: String(error) });
      }
    }),
  /** Overrides of the rate limits (lib/domain/rate-limits.ts): `name=tries/seconds,…`. */
  RATE_LIMITS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        rateLimits(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: String(error) });
      }
    }),
  /**
   * How many reverse proxies in front of the console append to X-Forwarded-For and may be
   * believed (lib/domain/client-address.ts). 0: none; the client address is the connection's and
   * X-Forwarded-* headers are ignored.
   */
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ message: "TRUSTED_PROXY_HOPS is a number of proxies: 0, 1, 2 …" })
    .int("TRUSTED_PROXY_HOPS is a whole number of proxies.")
    .min(0, "TRUSTED_PROXY_HOPS cannot be negative.")
    .max(MAX_TRUSTED_PROXY_HOPS, `TRUSTED_PROXY_HOPS is at most ${MAX_TRUSTED_PROXY_HOPS}.`)
    .default(0),
  /**
   * Where the audit trail is streamed (docs/decisions/019-siem-streaming.md): a JSON list of
   * webhook and syslog sinks, checked by lib/domain/siem-sinks.ts. Unset: nothing is streamed.
   * A webhook's HMAC key comes from `secretFile` or from the variable `secretEnv` names.
   */
  SIEM_SINKS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseSiemSinks(value, process.env);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  /**
   * Where the directory reads a phone number typed without its country code (comma-separated
   * ISO regions, in order; lib/domain/directory-query.ts). "020 7946 0958" is a London number
   * in GB; "(415) 555-0100" a San Francisco one in US.
   */
  DIRECTORY_PHONE_REGIONS: z
    .string()
    .default("GB,US")
    .superRefine((value, ctx) => {
      try {
        parsePhoneRegions(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  /**
   * The bearer token Prometheus sends to GET /metrics (at least 32 characters). Unset: /metrics
   * answers 404 (docs/decisions/041-health-metrics-and-logs.md).
   */
  METRICS_TOKEN: z.string().min(32, "it has fewer than 32 characters").optional(),
  /** The JSON log's level (pino): fatal, error, warn, info, debug, trace, or silent. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Write the JSON log to this file (appended) instead of standard output. */
  LOG_FILE: z.string().min(1).optional(),
  /** GET /readyz says "not ready" when the oldest message still to send is older, in seconds. */
  READY_OUTBOX_LAG_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** … or when a SIEM, webhook or Shared Signals sink is further behind the audit trail, in seconds. */
  READY_SINK_LAG_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  /** The From: of every notification. */
  MAIL_FROM: z
    .string()
    .min(3)
    .default("Northwind IT Service Desk <service-desk@northwind.example>"),
};

/** The shape with the rules that span variables. */
export function finalSchema(shape: typeof serverShape) {
  return z.object(shape).superRefine((value, ctx) => {
    const oidc = [value.OIDC_ISSUER, value.OIDC_CLIENT_ID, value.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message:
          "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together: set all three for single sign-on, or none.",
      });
    }
  });
}

/** What to do about a variable that is missing or wrong (the schema's message says what is wrong). */
const REMEDIES: Partial<Record<keyof typeof serverShape, string>> = {
  DATABASE_URL:
    "set it to postgresql://console_app:<password>@<host>:<port>/<database>, or with a standby postgresql://console_app:<password>@<primary>:<port>,<standby>:<port>/<database>?target_session_attrs=read-write (README.md, On an external PostgreSQL)",
  NEXTAUTH_URL: "set it to the console's public URL, e.g. https://recovery.example.com",
  NEXTAUTH_SECRET: "set it to at least 32 random characters (openssl rand -base64 32 makes some)",
  DEMO_SIGN_IN: "set it to on or off",
  OIDC_ISSUER: "set it to the provider's issuer URL, e.g. https://login.example.com/realms/staff",
  SMTP_URL: "set it to e.g. smtps://user:password@mail.example.com:465",
  METRICS_TOKEN:
    "set it to at least 32 random characters (openssl rand -base64 32 makes some), or unset it to turn /metrics off",
  AUDIT_EVENT_KEY_FILE:
    "set it to the Ed25519 private key file that signs every audit event; npm run keys:generate -- <folder> makes one",
};

type Issue = {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
  readonly code?: string;
};

/**
 * One line per issue: the variable, what is wrong with it and what to do. Values are never
 * repeated (DATABASE_URL, SMTP_URL and the secrets carry passwords).
 */
export function describeIssues(
  issues: ReadonlyArray<Issue>,
  source: Record<string, string | undefined>,
): string[] {
  return issues.map((issue) => {
    const first = issue.path?.[0];
    const name = String(typeof first === "object" && first !== null ? first.key : (first ?? ""));
    const remedy = REMEDIES[name as keyof typeof serverShape];
    // Messages written for this schema name their variable themselves.
    if (issue.message.startsWith(name))
      return sentence(remedy ? `${issue.message.replace(/\.$/, "")}: ${remedy}` : issue.message);
    if (issue.code === "custom") return sentence(`${name}: ${issue.message}`);
    if (!source[name]) return sentence(`${name} is not set${remedy ? `: ${remedy}` : ""}`);
    const wrong = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    return sentence(
      `${name} is not valid (${wrong}): ${remedy ?? "see the Configuration table in README.md"}`,
    );
  });
}

/** The problems of a would-be configuration, one line each; none when the console can run with it. */
export function configurationProblems(source: Record<string, string | undefined>): string[] {
  const values = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = finalSchema(serverShape).safeParse(values);
  return parsed.success ? [] : describeIssues(parsed.error.issues, values);
}

function sentence(line: string): string {
  const flat = line.replace(/\s+/g, " ").trim();
  return /[.!?]$/.test(flat) ? flat : `${flat}.`;
}
