/**
 * SCIM 2.0 Users (docs/decisions/033): GET lists with filter and paging, POST provisions a
 * joiner. Authenticated by a bearer token (lib/server/scim/tokens.ts), not a staff session.
 */
import { scimFilterToWhere } from "@/lib/domain/scim/filter";
import {
  LIST_RESPONSE,
  SCIM_DEFAULT_COUNT,
  SCIM_MAX_COUNT,
  ScimError,
  userEtag,
} from "@/lib/domain/scim/schemas";
import { normalizeDocument, parseUser, toScimUser } from "@/lib/domain/scim/user";
import { readScimBody, scimBaseUrl, scimHandler, scimJson } from "@/lib/server/scim/http";
import { createScimUser, listScimUsers } from "@/lib/server/scim/users";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

function whole(value: string | null, name: string, fallback: number, min: number): number {
  if (value === null || value === "") return fallback;
  if (!/^-?\d{1,9}$/.test(value))
    throw new ScimError(400, "invalidValue", `${name} must be a whole number.`);
  return Math.max(min, Number(value));
}

export async function GET(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:read", async () => {
    const params = new URL(request.url).searchParams;
    const startIndex = whole(params.get("startIndex"), "startIndex", 1, 1);
    const count = Math.min(
      SCIM_MAX_COUNT,
      whole(params.get("count"), "count", SCIM_DEFAULT_COUNT, 0),
    );
    const filter = params.get("filter");
    const where = filter ? scimFilterToWhere(filter) : {};
    const { total, users } = await listScimUsers({ where, startIndex, count });
    const base = scimBaseUrl();
    return scimJson(200, {
      schemas: [LIST_RESPONSE],
      totalResults: total,
      startIndex,
      itemsPerPage: users.length,
      Resources: users.map((u) => toScimUser(u, base)),
    });
  });
}

export async function POST(request: Request) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:write", async (client, context) => {
    const input = parseUser(normalizeDocument(await readScimBody(request)));
    const user = await createScimUser(client, input, context);
    const body = toScimUser(user, scimBaseUrl());
    return scimJson(201, body, { ETag: userEtag(user.updatedAt), Location: body.meta.location });
  });
}
