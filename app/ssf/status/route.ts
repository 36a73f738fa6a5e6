/** The stream status endpoint (decision 034); each function authenticates the receiver. */
import { routeRequestRefusal } from "@/lib/server/request-context";
import { readStatus, writeStatus } from "@/lib/server/ssf/streams";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? readStatus(request);
}

export async function POST(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? writeStatus(request);
}
