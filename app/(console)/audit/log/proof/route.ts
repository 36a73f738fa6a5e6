/**
 * GET /audit/log/proof?position=N[&size=S]: the event at position N as an export line (its
 * signed entry and signature) with its inclusion proof against the checkpoint of size S (default:
 * the latest), a C2SP tlog-proof that `npm run audit:verify-proof` checks with the log's public key
 * only (docs/decisions/017). Security reviewers only, checked here.
 */
import { z } from "zod";
import { requirePermission } from "@/lib/auth/session";
import { eventWithProof } from "@/lib/server/audit-proofs";
import { routeRequestRefusal } from "@/lib/server/request-context";

const Size = z.coerce
  .number()
  .int()
  .min(0)
  .max(2 ** 53);
const Query = z.object({ position: Size, size: Size.optional() }).strict();

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  await requirePermission("audit:read", "/audit");
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success)
    return Response.json({ error: "position (and size) must be whole numbers." }, { status: 400 });
  const line = await eventWithProof(query.data.position, query.data.size);
  if (!line)
    return Response.json(
      { error: "No event at that position in that checkpoint." },
      { status: 404 },
    );
  return new Response(line, {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store" },
  });
}
