/**
 * The staff session cookie. Over https it is `__Host-` prefixed and Secure (no Domain, Path=/);
 * always HttpOnly and SameSite=Lax. Shared by next-auth (OIDC) and demo sign-in so both set
 * the same cookie.
 */
export function sessionCookie(secure: boolean) {
  return {
    name: secure ? "__Host-console.session" : "console.session",
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure },
  };
}

/** The workforce user's session on the account pages: separate from staff sessions, same protections. */
export function workforceSessionCookie(secure: boolean) {
  return {
    name: secure ? "__Host-account.session" : "account.session",
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure },
  };
}
