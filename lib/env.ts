/**
 * The console's configuration, validated once (the schema is lib/env-schema.ts). Nothing else in
 * the app reads process.env (tooling under scripts/ and tests/ reads its own variables).
 * `.env.example` mirrors the schema; README.md has the table.
 */
import { createEnv } from "@t3-oss/env-nextjs";
import { configList, STEP_UP_WINDOW, type PhishingResistantPolicy } from "@/lib/domain/step-up";
import { describeIssues, finalSchema, serverShape } from "./env-schema";

import { parseSiemSinks, type SiemSink } from "./domain/siem-sinks";
import { parsePhoneRegions } from "@/lib/domain/directory-query";

export const env = createEnv({
  server: serverShape,
  client: {},
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  skipValidation: !!process.env.SKIP_ENV_VALIDATION,
  createFinalSchema: finalSchema,
  // One line per bad variable, saying what to do (lib/env-schema.ts); scripts/start.ts checks the
  // same before it starts the server, so this is the last line of defence.
  onValidationError: (issues) => {
    const lines = describeIssues(issues, process.env);
    for (const line of lines) console.error(line);
    throw new Error(`Invalid environment variables: ${lines.join(" ")}`);
  },
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
