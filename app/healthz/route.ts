/**
 * GET /healthz: the process is up and serving (liveness). No authentication and nothing about
 * the deployment in the answer; it touches no database, so a slow database never makes a
 * supervisor restart a healthy process. The benchmark uses it as its floor: the cheapest request
 * the console answers. A cross-site request is refused first, like every route's.
 */
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  return new Response("ok\n", {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
