/**
 * next-auth's endpoints for staff single sign-on (OIDC redirect, callback, CSRF, providers).
 * They authenticate by design: the provider's callback is checked by next-auth (state, PKCE,
 * nonce, ID token), then by admitOidcStaff (role claim, disabled staff). Each request runs with
 * room for the ID token's amr/acr, which the session records (lib/server/oidc-sign-in-assurance.ts).
 */
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/config";
import { withSignInAssurance } from "@/lib/server/oidc-sign-in-assurance";

const nextAuth = NextAuth(authOptions);

function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return withSignInAssurance(() => nextAuth(request, context));
}

export { handler as GET, handler as POST };
