/**
 * SCIM 2.0 Groups/{id} (docs/decisions/033): a risk tier's group, its members (up to
 * GROUP_MEMBERS_SHOWN), and PATCH of its members, which changes those people's tier.
 */
import { membershipChanges, tierOfGroup, toScimGroup } from "@/lib/domain/scim/groups";
import { parsePatch } from "@/lib/domain/scim/patch";
import { ScimError } from "@/lib/domain/scim/schemas";
import { changeGroupMembers, findGroupMembers } from "@/lib/server/scim/groups";
import { readScimBody, scimBaseUrl, scimHandler, scimJson } from "@/lib/server/scim/http";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

async function tierOf(params: Params["params"]) {
  const tier = tierOfGroup((await params).id);
  if (!tier) throw new ScimError(404, null, "No group has that id.");
  return tier;
}

export async function GET(request: Request, { params }: Params) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:read", async () => {
    const tier = await tierOf(params);
    const excluded = new URL(request.url).searchParams.get("excludedAttributes") ?? "";
    const members = /\bmembers\b/i.test(excluded) ? undefined : await findGroupMembers(tier);
    return scimJson(200, toScimGroup(tier, scimBaseUrl(), members));
  });
}

export async function PATCH(request: Request, { params }: Params) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:write", async (client, context) => {
    const tier = await tierOf(params);
    const change = membershipChanges(tier, parsePatch(await readScimBody(request)));
    await changeGroupMembers(client, tier, change, context);
    return new Response(null, { status: 204 });
  });
}
