/**
 * GET /live?topics=case:<id>,queue&since=<stamp>: server-sent events telling a console page that
 * something it shows changed (docs/decisions/023). The stream carries topic names only, never
 * data; the page re-renders on the server with its own checks. Signed-in staff only, each topic
 * checked against what the viewer may read (a case of another team is refused like an unknown
 * one). Not audited: it reveals nothing the viewer cannot already read, and every change it
 * announces is an audited decision.
 */
import { z } from "zod";
import { requireStaff } from "@/lib/auth/session";
import { parseTopics } from "@/lib/domain/live-changes";
import { openLiveStream, topicRefusal } from "@/lib/server/live-stream";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

const stamp = z
  .string()
  .regex(/^\d{1,19}$/)
  .transform((value) => BigInt(value));

function refuse(status: number, message: string) {
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  // Signed out: the redirect to sign-in ends the browser's stream (it does not retry HTML).
  const staff = await requireStaff("/cases");
  const url = new URL(request.url);
  const topics = parseTopics(url.searchParams.get("topics"));
  if (!topics.ok) return refuse(400, topics.message);
  // The browser sends the last event id when it reconnects: it is newer than the page's stamp.
  const since = stamp.safeParse(
    request.headers.get("last-event-id") ?? url.searchParams.get("since") ?? "",
  );
  if (!since.success) return refuse(400, "The stamp must be a number.");
  const forbidden = await topicRefusal(staff, topics.topics);
  if (forbidden) return refuse(403, forbidden);
  const body = await openLiveStream({
    topics: topics.topics,
    since: since.data,
    signal: request.signal,
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      Connection: "keep-alive",
      // Proxies in front (nginx) must pass each event on at once.
      "X-Accel-Buffering": "no",
    },
  });
}
