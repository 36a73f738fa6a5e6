/**
 * GET /audit/log/consistency?from=M&to=N: the RFC 6962 consistency proof between two checkpointed
 * sizes of the audit log, with both checkpoints, as JSON (docs/decisions/017). Security reviewers
 * only, checked here.
 */
import { z } from "zod";
import { requirePermission } from "@/lib/auth/session";
import { consistencyBetween } from "@/lib/server/audit-proofs";
import { routeRequestRefusal } from "@/lib/server/request-context";

const Size = z.coerce
  .number()
  .int()
  .min(0)
  .max(2 ** 53);
const Query = z.object({ from: Size, to: Size }).strict();

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  await requirePermission("audit:read", "/audit");
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success)
    return Response.json({ error: "from and to must be whole numbers." }, { status: 400 });
  const proof = await consistencyBetween(query.data.from, query.data.to);
  if (!proof)
    return Response.json({ error: "Both sizes must have been checkpointed." }, { status: 404 });
  return Response.json(proof, { headers: { "Cache-Control": "no-store" } });
}
