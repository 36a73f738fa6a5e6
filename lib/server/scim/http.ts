import "server-only";
/**
 * The HTTP side of the SCIM service provider (docs/decisions/033): the bearer token checked for
 * the scope, the body read up to its limit and parsed, and every refusal answered in SCIM's
 * error format (RFC 7644 §3.12) with application/scim+json. A refusal of a request whose token
 * we hold is audited; an unknown or missing token is counted (decision 002).
 */
import { publicUrl } from "@/lib/env";
import { SCIM_CONTENT_TYPE, SCIM_MAX_BODY_BYTES, ScimError } from "@/lib/domain/scim/schemas";
import { getRequestContext, type RequestContext } from "../request-context";
import { checkScimToken, type ScimClient, type ScimScope } from "./tokens";
import { auditScimRefusal } from "./users";

export const SCIM_BASE_PATH = "/scim/v2";

export function scimBaseUrl(): string {
  return `${publicUrl.replace(/\/$/, "")}${SCIM_BASE_PATH}`;
}

export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": SCIM_CONTENT_TYPE, "Cache-Control": "no-store", ...headers },
  });
}

function errorResponse(error: ScimError, headers: Record<string, string> = {}) {
  return scimJson(error.status, error.body(), headers);
}

/** The body as JSON: a SCIM content type, at most SCIM_MAX_BODY_BYTES, valid JSON. */
export async function readScimBody(request: Request): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== SCIM_CONTENT_TYPE && type !== "application/json")
    throw new ScimError(415, null, `Send ${SCIM_CONTENT_TYPE}.`);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > SCIM_MAX_BODY_BYTES)
    throw new ScimError(413, null, `The body is larger than ${SCIM_MAX_BODY_BYTES} bytes.`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > SCIM_MAX_BODY_BYTES)
    throw new ScimError(413, null, `The body is larger than ${SCIM_MAX_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ScimError(400, "invalidSyntax", "The body is not valid JSON.");
  }
}

async function context(): Promise<RequestContext | undefined> {
  try {
    return await getRequestContext();
  } catch {
    // Called outside a request (tests call the handlers directly).
    return undefined;
  }
}

/**
 * Authenticates the request for `scope`, then runs `work`; a ScimError from either is the
 * answer (audited when the token is one we hold).
 */
export async function scimHandler(
  request: Request,
  scope: ScimScope,
  work: (client: ScimClient, request?: RequestContext) => Promise<Response>,
): Promise<Response> {
  const requestContext = await context();
  const check = await checkScimToken(request.headers.get("authorization"), scope);
  if (!check.ok) {
    const error = new ScimError(check.status, null, check.detail);
    if (check.client) await auditScimRefusal(check.client, error, requestContext);
    return errorResponse(
      error,
      check.status === 401 ? { "WWW-Authenticate": 'Bearer realm="scim"' } : {},
    );
  }
  try {
    return await work(check.client, requestContext);
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    await auditScimRefusal(check.client, error, requestContext);
    return errorResponse(error);
  }
}

/** Discovery and errors that need no token but must still be SCIM (unknown paths are Next's 404). */
export { errorResponse as scimErrorResponse };
