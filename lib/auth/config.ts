import "server-only";
/**
 * next-auth configuration: staff single sign-on through any OpenID Connect provider, with
 * database sessions in the console's own tables (lib/server/next-auth-adapter.ts). Demo
 * sign-in does not go through next-auth; it starts the same kind of session directly
 * (app/(auth)/sign-in/actions.ts). See docs/decisions/005-staff-sign-in.md.
 */
import type { NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { STAFF_SESSION_IDLE_MS } from "@/lib/domain/staff-session";
import { roleFromClaims, teamFromClaims } from "@/lib/domain/oidc-role";
import { env, oidcConfigured, secureCookies } from "@/lib/env";
import { admitOidcStaff } from "@/lib/server/admit-oidc-staff";
import { consoleAdapter } from "@/lib/server/next-auth-adapter";
import { rememberSignInAssurance } from "@/lib/server/oidc-sign-in-assurance";
import { sessionCookie } from "./cookies";
import { newSessionToken } from "./tokens";

export const SESSION_COOKIE = sessionCookie(secureCookies);

type OidcProfile = { sub: string; email?: string; name?: string } & Record<string, unknown>;

function oidcProvider(): OAuthConfig<OidcProfile> {
  return {
    id: "oidc",
    name: env.OIDC_DISPLAY_NAME,
    type: "oauth",
    wellKnown: `${env.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    authorization: { params: { scope: "openid email profile" } },
    // The organisation's own IdP is the source of truth for staff emails.
    allowDangerousEmailAccountLinking: true,
    profile(profile) {
      const role = roleFromClaims(profile, env.OIDC_ROLE_CLAIM);
      return {
        id: profile.sub,
        email: profile.email?.toLowerCase() ?? null,
        name: profile.name ?? profile.email ?? profile.sub,
        role: role.ok ? role.role : undefined,
        team: teamFromClaims(profile, env.OIDC_TEAM_CLAIM),
      };
    },
  };
}

export const authOptions: NextAuthOptions = {
  adapter: consoleAdapter,
  secret: env.NEXTAUTH_SECRET,
  useSecureCookies: secureCookies,
  session: {
    strategy: "database",
    maxAge: STAFF_SESSION_IDLE_MS / 1000,
    updateAge: 60,
    generateSessionToken: newSessionToken,
  },
  cookies: { sessionToken: SESSION_COOKIE },
  providers: oidcConfigured ? [oidcProvider()] : [],
  pages: { signIn: "/sign-in", error: "/sign-in" },
  callbacks: {
    async signIn({ account, profile, user }) {
      if (!account || account.type !== "oauth") return false;
      const admission = await admitOidcStaff({
        provider: account.provider,
        subject: account.providerAccountId,
        email: user.email,
        claims: (profile ?? {}) as Record<string, unknown>,
        roleClaim: env.OIDC_ROLE_CLAIM,
        teamClaim: env.OIDC_TEAM_CLAIM,
      });
      // next-auth gives the adapter's createSession none of this: it is carried within the request.
      if (admission.ok) rememberSignInAssurance((profile ?? {}) as Record<string, unknown>);
      return admission.ok;
    },
  },
};
