/** The verification endpoint (decision 034): authenticates the receiver, then sends the event. */
import { routeRequestRefusal } from "@/lib/server/request-context";
import { requestVerification } from "@/lib/server/ssf/streams";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? requestVerification(request);
}
