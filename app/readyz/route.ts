/**
 * GET /readyz: whether this instance should get traffic (docs/decisions/041-health-metrics-and-logs.md):
 * the database answers and has every migration of this build, the key files are readable, the
 * outbox and the sinks are not too far behind. No authentication, and no details: 200
 * {"status":"ready"} or 503 {"status":"not ready"}; the reasons go to the log and the metrics.
 * The check is kept a few seconds per process (lib/server/readiness.ts), so probes are cheap.
 */
import { checkReadiness } from "@/lib/server/readiness";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  const readiness = await checkReadiness();
  return Response.json(
    { status: readiness.ready ? "ready" : "not ready" },
    { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
