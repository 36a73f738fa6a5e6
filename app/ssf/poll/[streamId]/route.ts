/** A poll stream's endpoint (RFC 8936, decision 034): authenticates the receiver, then polls. */
import { routeRequestRefusal } from "@/lib/server/request-context";
import { poll } from "@/lib/server/ssf/streams";

export const dynamic = "force-dynamic";

export async function POST(request: Request, context: { params: Promise<{ streamId: string }> }) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? poll(request, (await context.params).streamId);
}
