/**
 * next-auth's endpoints for staff single sign-on (OIDC redirect, callback, CSRF, providers).
 * They authenticate by design: the provider's callback is checked by next-auth (state, PKCE,
 * nonce, ID token), then by admitOidcStaff (role claim, disabled staff). Each request first
 * spends one try of the client's SSO budget (over it: 429 with Retry-After, counted), then runs
 * with room for the ID token's amr/acr, which the session records
 * (lib/server/oidc-sign-in-assurance.ts).
 */
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/config";
import { withSignInAssurance } from "@/lib/server/oidc-sign-in-assurance";
import { clientKey, spend, tooManyRequests } from "@/lib/server/rate-limit";
import { countRefusal } from "@/lib/server/refusal-tally";
import { getRequestContext } from "@/lib/server/request-context";

const nextAuth = NextAuth(authOptions);

async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  const spent = await spend([{ limit: "sso.client", key: clientKey(await getRequestContext()) }]);
  if (!spent.ok) {
    await countRefusal("staff.sign_in_refused", "RATE_LIMITED");
    return tooManyRequests(spent.retryAfterSeconds);
  }
  return withSignInAssurance(() => nextAuth(request, context));
}

export { handler as GET, handler as POST };
