/**
 * GET /audit/log/checkpoint[?size=N]: the audit log's latest (or size N's) signed checkpoint, a
 * C2SP signed note with the witnesses' cosignatures (docs/decisions/017). Security reviewers only,
 * checked here.
 */
import { z } from "zod";
import { requirePermission } from "@/lib/auth/session";
import { checkpointNote } from "@/lib/server/audit-proofs";
import { routeRequestRefusal } from "@/lib/server/request-context";

const Query = z
  .object({
    size: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 53)
      .optional(),
  })
  .strict();

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request);
  if (refusal) return refusal;
  await requirePermission("audit:read", "/audit");
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return Response.json({ error: "size must be a tree size." }, { status: 400 });
  const checkpoint = await checkpointNote(query.data.size);
  if (!checkpoint) return Response.json({ error: "No such checkpoint." }, { status: 404 });
  return new Response(checkpoint.note, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
