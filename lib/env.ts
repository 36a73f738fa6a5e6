/**
 * The console's configuration, validated once. Nothing else in the app reads process.env
 * (tooling under scripts/ and tests/ reads its own variables). `.env.example` mirrors this
 * file; README.md has the table.
 */
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";
import { parsePhoneRegions } from "@/lib/domain/directory-query";
import { rateLimits } from "@/lib/domain/rate-limits";
import { configList, STEP_UP_WINDOW, type PhishingResistantPolicy } from "@/lib/domain/step-up";
import { MAX_TRUSTED_PROXY_HOPS } from "./domain/client-address";
import { isKeyName } from "./domain/tlog/note";
import { parseWitnesses } from "./domain/witness-config";

import { parseSiemSinks, type SiemSink } from "./domain/siem-sinks";

const onOff = z.enum(["on", "off"]);

export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** PostgreSQL the console uses. `npm start` starts an embedded server when it is unset. */
    DATABASE_URL: z.url(),
    /**
     * Connections this process keeps to PostgreSQL. Beyond it, work waits its turn (up to 30 s)
     * rather than failing; a few per database core is plenty (lib/create-db.ts).
     */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** The console's public URL. https makes session cookies `__Host-` and Secure. */
    NEXTAUTH_URL: z.url().default("http://localhost:3000"),
    /** Signs next-auth's sign-in state cookies (OIDC state, PKCE, CSRF). At least 32 characters. */
    NEXTAUTH_SECRET: z.string().min(32),
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
    /** The From: of every notification. */
    MAIL_FROM: z
      .string()
      .min(3)
      .default("Northwind IT Service Desk <service-desk@northwind.example>"),
  },
  client: {},
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  skipValidation: !!process.env.SKIP_ENV_VALIDATION,
  createFinalSchema: (shape) =>
    z.object(shape).superRefine((value, ctx) => {
      const oidc = [value.OIDC_ISSUER, value.OIDC_CLIENT_ID, value.OIDC_CLIENT_SECRET];
      if (oidc.some(Boolean) && !oidc.every(Boolean)) {
        ctx.addIssue({
          code: "custom",
          path: ["OIDC_ISSUER"],
          message: "Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together.",
        });
      }
    }),
});

// NOTE: `next build` runs with SKIP_ENV_VALIDATION (no database or secrets at build time), when
// defaults are not applied; the derived values below must not assume them.
export const oidcConfigured = Boolean(
  env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET,
);
export const demoSignInEnabled = env.DEMO_SIGN_IN === "on";
/**
 * In the demo, without SMTP, messages land in the demo mailbox (a stand-in for people's mail
 * servers). Outside the demo there is no mailbox: a console without SMTP_URL refuses to start
 * (scripts/start.ts) and delivers nothing (lib/server/mail-transport.ts), so no pass or link is
 * ever stored readable for nobody to receive.
 */
export const demoMailbox = !env.SMTP_URL && demoSignInEnabled;
/** Links in messages point here. */
export const publicUrl = (env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/$/, "");
/** Secure cookies whenever the console is served over https. */
export const secureCookies = (env.NEXTAUTH_URL ?? "").startsWith("https://");
/** How long a step-up lasts (decision 015): the configured window, 5 minutes by default. */
export const stepUpWindowMs =
  (env.STEP_UP_WINDOW_MINUTES ?? STEP_UP_WINDOW.defaultMinutes) * 60 * 1000;
/** What the identity provider must say for its sign-in to count as a step-up. */
export const phishingResistantPolicy: PhishingResistantPolicy = {
  acr: configList(env.OIDC_PHISHING_RESISTANT_ACR ?? "phr phrh"),
  amr: configList(env.OIDC_PHISHING_RESISTANT_AMR),
};

/** The regions a national phone number is read in (default GB, then US). */
export const directoryPhoneRegions = parsePhoneRegions(env.DIRECTORY_PHONE_REGIONS);

let sinks: SiemSink[] | undefined;
/**
 * The SIEM sinks, parsed once (validated at start above; parsed lazily because `next build`
 * skips validation). A secretEnv key is read from its variable here, the one place that reads it.
 */
export function siemSinks(): SiemSink[] {
  sinks ??= parseSiemSinks(env.SIEM_SINKS, process.env);
  return sinks;
}
