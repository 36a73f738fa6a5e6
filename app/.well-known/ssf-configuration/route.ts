/** GET /.well-known/ssf-configuration: the transmitter's metadata (decision 034). Public. */
import { routeRequestRefusal } from "@/lib/server/request-context";
import { metadata } from "@/lib/server/ssf/streams";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return metadata();
}
