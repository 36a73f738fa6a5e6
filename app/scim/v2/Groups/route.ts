/**
 * SCIM 2.0 Groups (docs/decisions/033): one fixed group per risk tier. GET lists them (without
 * members: read one group for its members); POST is refused, groups are the tiers.
 */
import { groupsMatching, toScimGroup } from "@/lib/domain/scim/groups";
import { LIST_RESPONSE, ScimError } from "@/lib/domain/scim/schemas";
import { scimBaseUrl, scimHandler, scimJson } from "@/lib/server/scim/http";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:read", async () => {
    const tiers = groupsMatching(new URL(request.url).searchParams.get("filter"));
    const base = scimBaseUrl();
    return scimJson(200, {
      schemas: [LIST_RESPONSE],
      totalResults: tiers.length,
      startIndex: 1,
      itemsPerPage: tiers.length,
      Resources: tiers.map((tier) => toScimGroup(tier, base)),
    });
  });
}

export async function POST(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:write", async () => {
    throw new ScimError(
      403,
      null,
      "Groups are the console's risk tiers: find them with GET /Groups and change their members.",
    );
  });
}
