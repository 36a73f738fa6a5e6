/**
 * GET /metrics: this process's Prometheus metrics (docs/decisions/041-health-metrics-and-logs.md),
 * only with `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time. METRICS_TOKEN
 * unset: 404, as if there were no such page. A wrong or missing token: 401, counted
 * (console_metrics_scrapes_refused_total), not audited: reading metrics decides nothing.
 */
import { log } from "@/lib/server/log";
import { metrics } from "@/lib/server/metrics";
import { metricsTokenMatches } from "@/lib/server/metrics-token";
import { refreshLagGauges, refreshVerificationGauges } from "@/lib/server/readiness";
import { routeRequestRefusal } from "@/lib/server/request-context";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  if (!env.METRICS_TOKEN) return new Response("Not found.\n", { status: 404 });
  if (!metricsTokenMatches(request.headers.get("authorization"), env.METRICS_TOKEN)) {
    metrics().metricsRefused.inc();
    log().warn("metrics: a scrape without the right token");
    return new Response("A metrics token is needed.\n", {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store" },
    });
  }
  await Promise.all([refreshLagGauges(), refreshVerificationGauges()]);
  const { registry } = metrics();
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
