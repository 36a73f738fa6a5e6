/**
 * The stream configuration endpoint (decision 034). Receivers are programs with a bearer token;
 * each function authenticates it (lib/server/ssf/streams.ts).
 */
import { routeRequestRefusal } from "@/lib/server/request-context";
import { createStream, deleteStream, readStreams, updateStream } from "@/lib/server/ssf/streams";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? readStreams(request);
}

export async function POST(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? createStream(request);
}

export async function PATCH(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? updateStream(request, false);
}

export async function PUT(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? updateStream(request, true);
}

export async function DELETE(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  return refusal ?? deleteStream(request);
}
