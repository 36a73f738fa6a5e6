/**
 * The console's Prometheus metrics (prom-client), per process: each instance is scraped on its
 * own (docs/decisions/041-health-metrics-and-logs.md has the names, labels and the rule that keeps
 * every label's values bounded).
 *
 * One registry per process, on globalThis with its metrics: Next evaluates a bundled module once
 * for pages and actions and once for route handlers, and the edge (scripts/lib/edge.ts) loads it
 * outside the bundle; a module-level registry would leave GET /metrics blind to the others.
 *
 * NOTE: not marked "server-only": lib/server/audit.ts (used by the seed) and the edge import it.
 */
import client from "prom-client";
import { DOMAIN_ERROR_CODES } from "@/lib/domain/errors";

function build() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "console_" });
  const registers = [registry];
  return {
    registry,
    httpDuration: new client.Histogram({
      name: "console_http_request_duration_seconds",
      help: "Time to answer a request, by method, route pattern and status class, as the edge saw it.",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    auditedWrites: new client.Counter({
      name: "console_audited_writes_total",
      help: "Audit events committed, by action.",
      labelNames: ["action"] as const,
      registers,
    }),
    auditAppend: new client.Histogram({
      name: "console_audit_append_seconds",
      help: "The audit append: the wait for the chain lock, the insert under it and the commit sent with it.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    refusals: new client.Counter({
      name: "console_refusals_total",
      help: "Refusals recorded (audited or tallied), by code.",
      labelNames: ["code"] as const,
      registers,
    }),
    rateLimitHits: new client.Counter({
      name: "console_rate_limit_hits_total",
      help: "Tries refused by a rate limit, by the limit's name.",
      labelNames: ["limit"] as const,
      registers,
    }),
    signalsRaised: new client.Counter({
      name: "console_signals_raised_total",
      help: "Fraud signals raised, by rule (a signal raised by two rules counts under both).",
      labelNames: ["kind"] as const,
      registers,
    }),
    metricsRefused: new client.Counter({
      name: "console_metrics_scrapes_refused_total",
      help: "Requests for /metrics without the right token.",
      registers,
    }),
    notReady: new client.Counter({
      name: "console_readiness_failures_total",
      help: "Readiness checks that found the instance not ready, by reason kind.",
      labelNames: ["reason"] as const,
      registers,
    }),
    outboxLag: new client.Gauge({
      name: "console_outbox_lag_seconds",
      help: "Age of the oldest message still to send (0: none), read at scrape time.",
      registers,
    }),
    verificationAge: new client.Gauge({
      name: "console_audit_verification_age_seconds",
      help: "Seconds since the newest full verification of the audit log that is part of the log (a signed, attested audit.verified event), read at scrape time; no series before the first.",
      labelNames: ["kind"] as const,
      registers,
    }),
    verificationIntact: new client.Gauge({
      name: "console_audit_verification_intact",
      help: "Whether that verification found the log intact (1) or not (0), read at scrape time; no series before the first.",
      labelNames: ["kind"] as const,
      registers,
    }),
    integrityAlertTime: new client.Gauge({
      name: "console_audit_integrity_alert_timestamp_seconds",
      help: "When the signer's newest integrity alert (a signed audit.integrity_alert event) was raised, in Unix seconds; 0 for none. Alert when it changes.",
      registers,
    }),
    sinkLag: new client.Gauge({
      name: "console_sink_lag_seconds",
      help: "The furthest-behind sink of each kind (siem, webhook, ssf): age of the oldest audit event it has not taken, read at scrape time.",
      labelNames: ["sink"] as const,
      registers,
    }),
  };
}

export type ConsoleMetrics = ReturnType<typeof build>;

const globalForMetrics = globalThis as unknown as { consoleMetrics?: ConsoleMetrics };

export function metrics(): ConsoleMetrics {
  return (globalForMetrics.consoleMetrics ??= build());
}

const CODES: ReadonlySet<string> = new Set(DOMAIN_ERROR_CODES);
const MACHINE_REASON = /^[A-Z][A-Z0-9_]{1,39}$/;

/**
 * A refusal's code as a label: a DomainError code or an upper-case machine reason (UNKNOWN_LINK,
 * NO_TOKEN; a closed set in the source); anything else is "other", so no input can add values.
 */
export function refusalLabel(code: string | null | undefined): string {
  if (!code) return "other";
  return CODES.has(code) || MACHINE_REASON.test(code) ? code : "other";
}

/** Every refusal is counted here: an audited one when its transaction commits, a tallied one when tallied. */
export function countRefusalMetric(code: string | null | undefined): void {
  metrics().refusals.inc({ code: refusalLabel(code) });
}

/** The status class of an HTTP status: 2xx … 5xx. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other";
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A method as a label: the usual ones, else "other". */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : "other";
}

/**
 * What a committed audited transaction recorded: each event counts as an audited write by action,
 * a refused one as a refusal by its code, a raised fraud signal under each of its rules. Called
 * after the commit, so a rolled-back decision counts nothing.
 */
export function countCommittedAudit(
  events: readonly { action: string; outcome: string; reason: string | null; data: unknown }[],
): void {
  const m = metrics();
  for (const event of events) {
    m.auditedWrites.inc({ action: event.action });
    if (event.outcome === "REFUSED") countRefusalMetric(event.reason);
    if (event.action === "signal.raised")
      for (const rule of (event.data as { rules?: string[] }).rules ?? [])
        m.signalsRaised.inc({ kind: rule });
  }
}
