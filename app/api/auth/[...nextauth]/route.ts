/**
 * next-auth's endpoints for staff single sign-on (OIDC redirect, callback, CSRF, providers).
 * They authenticate by design: the provider's callback is checked by next-auth (state, PKCE,
 * nonce, ID token), then by admitOidcStaff (role claim, disabled staff).
 *
 * Before next-auth sees a request (docs/security-requirements.md G4): a cross-site request is
 * refused, except the provider's redirect back to the callback (a cross-site navigation by
 * design, checked by state, PKCE and nonce); a POST needs the console's Origin (next-auth's
 * sign-in POSTs come from the console's own sign-in page); a JSON body must be an object; a
 * callbackUrl (query or cookie) must point into the console (next-auth answers one it cannot
 * parse with a 500). Then the request spends one try of the client's SSO budget (over it: 429
 * with Retry-After, counted), and runs with room for the ID token's amr/acr, which the session
 * records (lib/server/oidc-sign-in-assurance.ts).
 */
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/config";
import { isNextAuthErrorCode, isOwnCallbackUrl } from "@/lib/domain/safe-redirect";
import { publicUrl } from "@/lib/env";
import { withSignInAssurance } from "@/lib/server/oidc-sign-in-assurance";
import { clientKey, spend, tooManyRequests } from "@/lib/server/rate-limit";
import { countRefusal } from "@/lib/server/refusal-tally";
import { getRequestContext, routeRequestRefusal } from "@/lib/server/request-context";

const nextAuth = NextAuth(authOptions);

/** The provider's redirect back to the console lands here. */
const isCallback = (request: Request) =>
  new URL(request.url).pathname.startsWith("/api/auth/callback/");

async function guarded(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  const refusal = await routeRequestRefusal(request, { crossSiteNavigation: isCallback(request) });
  if (refusal) return refusal;
  const badCallback = (await callbackUrlRefusal(request)) ?? errorCodeRefusal(request);
  if (badCallback) return badCallback;
  const spent = await spend([{ limit: "sso.client", key: clientKey(await getRequestContext()) }]);
  if (!spent.ok) {
    await countRefusal("staff.sign_in_refused", "RATE_LIMITED");
    return tooManyRequests(spent.retryAfterSeconds);
  }
  return withSignInAssurance(() => nextAuth(request, context));
}

/** next-auth's callback-url cookie, under either of its names (Secure prefix over https). */
const CALLBACK_COOKIE = /(?:^|;\s*)(?:__Secure-)?next-auth\.callback-url=([^;]*)/g;

/**
 * Every callbackUrl next-auth would read (query, cookie, a POST's form or JSON body, as
 * next-auth parses them) must be a string pointing into the console.
 */
async function callbackUrlRefusal(request: Request): Promise<Response | null> {
  const origin = new URL(publicUrl).origin;
  const values: unknown[] = [
    ...new URL(request.url).searchParams.getAll("callbackUrl"),
    ...[...(request.headers.get("cookie") ?? "").matchAll(CALLBACK_COOKIE)].map((match) =>
      decodeCookie(match[1]!),
    ),
  ];
  if (request.method === "POST") {
    const type = request.headers.get("content-type") ?? "";
    const text = () => request.clone().text();
    // routeRequestRefusal has already refused a JSON body that is not an object.
    if (type.includes("application/json"))
      values.push((JSON.parse(await text()) as Record<string, unknown>).callbackUrl);
    else if (type.includes("application/x-www-form-urlencoded"))
      values.push(...new URLSearchParams(await text()).getAll("callbackUrl"));
  }
  const fine = (value: unknown) =>
    value === undefined ||
    value === "" ||
    (typeof value === "string" && isOwnCallbackUrl(value, origin));
  if (values.every(fine)) return null;
  return new Response("This sign-in link is not valid. Start again from the sign-in page.", {
    status: 400,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/** next-auth's `error` parameter, when there is one, must be one of its error codes (a word). */
function errorCodeRefusal(request: Request): Response | null {
  const codes = new URL(request.url).searchParams.getAll("error");
  if (codes.every(isNextAuthErrorCode)) return null;
  return new Response("This sign-in link is not valid. Start again from the sign-in page.", {
    status: 400,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export { guarded as GET, guarded as POST };
