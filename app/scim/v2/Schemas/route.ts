/** SCIM 2.0 discovery: Schemas (docs/decisions/033). Behind a bearer token like every SCIM route. */
import { schemas } from "@/lib/domain/scim/discovery";
import { scimBaseUrl, scimHandler, scimJson } from "@/lib/server/scim/http";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:read", async () => scimJson(200, schemas(scimBaseUrl())));
}
