/**
 * GET /ssf/jwks: the public key that signs the console's Security Event Tokens (decision 034).
 * Public by design: receivers verify every token against it. 404 when no signing key is set.
 */
import { routeRequestRefusal } from "@/lib/server/request-context";
import { ssfConfigured, ssfJwks } from "@/lib/server/ssf/keys";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  if (!ssfConfigured()) return new Response("Shared Signals are not configured\n", { status: 404 });
  return Response.json(await ssfJwks(), {
    headers: { "Cache-Control": "public, max-age=300", "Content-Type": "application/jwk-set+json" },
  });
}
