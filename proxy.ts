/**
 * Runs before every request. It keeps the request ID the server's edge assigned (a client's own
 * is replaced there unless it is a short safe token, lib/domain/request-id.ts) so that audit
 * rows, log lines and the access log of one request can be matched, and sets the response's security headers:
 * a content security policy with a fresh nonce (Next reads it from the request's header and puts
 * it on its own scripts), and HSTS when the public URL is https. It never decides access: every
 * page, action and route handler checks the session itself (lib/auth/session.ts).
 */
import { NextResponse, type NextRequest } from "next/server";
import { requestIdFrom } from "@/lib/domain/request-id";
import { contentSecurityPolicy, strictTransportSecurity } from "@/lib/domain/security-headers";
import { env, publicUrl } from "@/lib/env";

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  const requestId = requestIdFrom(request.headers.get("x-request-id"), () => crypto.randomUUID());
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));
  const csp = contentSecurityPolicy({ nonce, dev: env.NODE_ENV === "development" });
  headers.set("x-request-id", requestId);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("x-request-id", requestId);
  response.headers.set("content-security-policy", csp);
  const hsts = strictTransportSecurity(publicUrl);
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
