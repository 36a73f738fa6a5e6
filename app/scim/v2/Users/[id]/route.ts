/**
 * SCIM 2.0 Users/{id} (docs/decisions/033): read, replace (PUT), PATCH, DELETE. Writes honour
 * If-Match (W/"<version>", 412 when stale) and go through the joiner/mover/leaver path
 * (lib/server/scim/users.ts). DELETE keeps the person and their cases: they become a leaver.
 */
import { applyPatch, parsePatch } from "@/lib/domain/scim/patch";
import { ifMatchHolds, ScimError, userEtag } from "@/lib/domain/scim/schemas";
import { normalizeDocument, parseUser, toScimUser } from "@/lib/domain/scim/user";
import { readScimBody, scimBaseUrl, scimHandler, scimJson } from "@/lib/server/scim/http";
import { findScimUser, writeScimUser } from "@/lib/server/scim/users";
import { routeRequestRefusal } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

function checkEtag(request: Request, current: { updatedAt: Date }) {
  if (!ifMatchHolds(request.headers.get("if-match"), userEtag(current.updatedAt)))
    throw new ScimError(412, null, "The user changed since that version (If-Match).");
}

function answer(user: Awaited<ReturnType<typeof writeScimUser>>) {
  return scimJson(200, toScimUser(user, scimBaseUrl()), { ETag: userEtag(user.updatedAt) });
}

export async function GET(request: Request, { params }: Params) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:read", async () => {
    const user = await findScimUser((await params).id);
    if (!user) throw new ScimError(404, null, "No user has that id.");
    const etag = userEtag(user.updatedAt);
    if (request.headers.get("if-none-match") === etag)
      return new Response(null, { status: 304, headers: { ETag: etag } });
    return answer(user);
  });
}

export async function PUT(request: Request, { params }: Params) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:write", async (client, context) => {
    const input = parseUser(normalizeDocument(await readScimBody(request)));
    const user = await writeScimUser(
      client,
      (await params).id,
      (current) => {
        checkEtag(request, current);
        return input;
      },
      context,
    );
    return answer(user);
  });
}

export async function PATCH(request: Request, { params }: Params) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:write", async (client, context) => {
    const ops = parsePatch(await readScimBody(request));
    const base = scimBaseUrl();
    const user = await writeScimUser(
      client,
      (await params).id,
      (current) => {
        checkEtag(request, current);
        return parseUser(applyPatch(normalizeDocument(toScimUser(current, base)), ops));
      },
      context,
    );
    return answer(user);
  });
}

export async function DELETE(request: Request, { params }: Params) {
  const refusal = await routeRequestRefusal(request, { bearerApi: true });
  if (refusal) return refusal;
  return scimHandler(request, "users:write", async (client, context) => {
    await writeScimUser(
      client,
      (await params).id,
      (current) => {
        checkEtag(request, current);
        return null;
      },
      context,
    );
    return new Response(null, { status: 204 });
  });
}
