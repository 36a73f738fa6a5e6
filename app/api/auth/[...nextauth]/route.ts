/**
 * next-auth's endpoints for staff single sign-on (OIDC redirect, callback, CSRF, providers).
 * They authenticate by design: the provider's callback is checked by next-auth (state, PKCE,
 * nonce, ID token), then by admitOidcStaff (role claim, disabled staff).
 */
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/config";

const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };
