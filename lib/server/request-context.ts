import "server-only";
/**
 * Who is asking, for the audit trail, and whether the request came from the console's own pages.
 *
 * The client address is what the server's edge (scripts/lib/edge.ts) resolved from the socket
 * and TRUSTED_PROXY_HOPS and wrote, alone, into X-Forwarded-For (it removes any copy the client
 * sent; lib/domain/client-address.ts, docs/security-requirements.md G7). Anything there that is
 * not exactly one IP address is not believed. The request ID is the one proxy.ts stamps.
 */
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { isIpAddress } from "@/lib/domain/client-address";
import {
  crossSiteRefusal,
  FOREIGN_REQUEST,
  jsonObjectProblem,
  routeRefusal,
} from "@/lib/domain/edge-rules";
import { publicUrl } from "@/lib/env";

export type RequestContext = { requestId: string; ip: string | null };

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const requestId = h.get("x-request-id") ?? randomUUID();
  const address = h.get("x-forwarded-for")?.trim();
  return { requestId, ip: address && isIpAddress(address) ? address : null };
}

export const FOREIGN_ORIGIN = FOREIGN_REQUEST;

/**
 * Defence in depth against cross-site requests (docs/security-requirements.md G4), on top of the
 * SameSite cookies and the edge, which refuses the same requests with a 403 before Next sees
 * them: an action runs only for a request whose Origin is the console's public URL. A missing
 * Origin or `Sec-Fetch-Site: cross-site` is refused too, and the Host or X-Forwarded-Host the
 * client sends plays no part. Returns the refusal message, or null.
 */
export async function foreignOriginRefusal(): Promise<string | null> {
  const h = await headers();
  return crossSiteRefusal({
    origin: h.get("origin"),
    secFetchSite: h.get("sec-fetch-site"),
    publicOrigin: new URL(publicUrl).origin,
  });
}

/**
 * For route handlers, first thing: a cross-site request is refused with a 403 (except a top-level
 * GET navigation where `crossSiteNavigation` allows it), a POST needs the console's Origin, and a
 * JSON body must be a JSON object (400). Returns the response to send, or null to go on.
 */
export async function routeRequestRefusal(
  request: Request,
  options: { crossSiteNavigation?: boolean; bearerApi?: boolean } = {},
): Promise<Response | null> {
  const refusal = routeRefusal({
    bearerApi: options.bearerApi,
    method: request.method,
    origin: request.headers.get("origin"),
    secFetchSite: request.headers.get("sec-fetch-site"),
    secFetchMode: request.headers.get("sec-fetch-mode"),
    publicOrigin: new URL(publicUrl).origin,
    crossSiteNavigation: options.crossSiteNavigation,
  });
  if (refusal) return plainResponse(403, refusal);
  // next-auth parses any POST whose Content-Type mentions application/json; so is this check.
  // A bearer API parses its own bodies and answers in its own error format.
  if (
    !options.bearerApi &&
    request.method === "POST" &&
    /json/i.test(request.headers.get("content-type") ?? "")
  ) {
    const problem = jsonObjectProblem(await request.clone().text());
    if (problem) return plainResponse(400, problem);
  }
  return null;
}

function plainResponse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
