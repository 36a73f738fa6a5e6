/**
 * Runs before every request. It only stamps a request ID (overwriting any the client sent)
 * so that audit rows and logs of one request can be matched; it never decides access:
 * every page, action and route handler checks the session itself (lib/auth/session.ts).
 */
import { NextResponse, type NextRequest } from "next/server";

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  const requestId = crypto.randomUUID();
  headers.set("x-request-id", requestId);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("x-request-id", requestId);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
