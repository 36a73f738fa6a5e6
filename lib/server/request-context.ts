import "server-only";
/**
 * Who is asking, for the audit trail: the request ID that proxy.ts stamps on every request,
 * and the client address as the first hop reports it.
 */
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";

export type RequestContext = { requestId: string; ip: string | null };

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const requestId = h.get("x-request-id") ?? randomUUID();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { requestId, ip: forwarded && forwarded.length <= 64 ? forwarded : null };
}
