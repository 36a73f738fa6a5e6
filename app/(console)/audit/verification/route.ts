/**
 * GET /audit/verification: the newest full verification's state and progress, as JSON, for the
 * audit page to follow a run without holding a request open (docs/decisions/020). Security
 * reviewers only (checked here); a cross-site request is refused first. Not audited: it shows
 * counts and times, no event; asking for a run and its result are audited events.
 */
import { requirePermission } from "@/lib/auth/session";
import { fullRunStatus } from "@/lib/server/start-full-verification";
import { routeRequestRefusal } from "@/lib/server/request-context";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  await requirePermission("audit:read", "/audit");
  return Response.json(await fullRunStatus(), { headers: { "Cache-Control": "no-store" } });
}
