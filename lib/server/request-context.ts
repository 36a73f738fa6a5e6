import "server-only";
/**
 * Who is asking, for the audit trail: the request ID that proxy.ts stamps on every request,
 * and the client address as the first hop reports it.
 */
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { publicUrl } from "@/lib/env";

export type RequestContext = { requestId: string; ip: string | null };

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const requestId = h.get("x-request-id") ?? randomUUID();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { requestId, ip: forwarded && forwarded.length <= 64 ? forwarded : null };
}

export const FOREIGN_ORIGIN =
  "This request did not come from the console's own pages, so nothing was done. Reload the page and try again.";

/**
 * Defence in depth against cross-site requests (docs/security-requirements.md G4), on top of the
 * SameSite cookies and Next's own check: an action runs only for a request whose Origin is the
 * console's public URL. A missing Origin or `Sec-Fetch-Site: cross-site` is refused too, and the
 * Host or X-Forwarded-Host the client sends plays no part. Returns the refusal message, or null.
 */
export async function foreignOriginRefusal(): Promise<string | null> {
  const h = await headers();
  if (h.get("sec-fetch-site") === "cross-site") return FOREIGN_ORIGIN;
  const origin = h.get("origin");
  return origin && origin === new URL(publicUrl).origin ? null : FOREIGN_ORIGIN;
}
