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
