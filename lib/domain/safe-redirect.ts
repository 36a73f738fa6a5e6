/**
 * Where to go after signing in. The value is parsed as a URL against the console's own origin,
 * the way a browser would resolve it (dot segments, backslashes, percent-encoded dots and
 * slashes, tabs and newlines, schemes), and only a path on this site survives: a crafted link
 * cannot send a staff member elsewhere after sign-in (an open redirect). What is returned is the
 * normalised path, so the browser's router has nothing left to reinterpret.
 */
const BASE = "https://console.invalid";

export function safeCallbackPath(value: unknown, fallback = "/users"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return fallback;
  // Only an absolute path is a candidate; control characters never are (browsers strip some).
  if (!value.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // After normalisation "/..//evil" is "//evil": protocol-relative, i.e. another host.
  if (path.startsWith("//") || /%2f|%5c/i.test(url.pathname)) return fallback;
  if (
    url.pathname.startsWith("/api/") ||
    url.pathname === "/sign-in" ||
    url.pathname.startsWith("/sign-in/")
  )
    return fallback;
  return path;
}

/**
 * Whether a `callbackUrl` handed to next-auth (as a query parameter, or in its callback-url
 * cookie) points into this console: a path on this site, or an http(s) URL of its own origin.
 * next-auth answers anything it cannot parse with a 500 ("a problem with the server
 * configuration") and sends other origins back to the console anyway, so the route handler
 * refuses both with a 400 first (app/api/auth/[...nextauth]/route.ts).
 */
export function isOwnCallbackUrl(value: string, publicOrigin: string): boolean {
  if (value.length > 2048) return false;
  if (!value.startsWith("/") && !/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value, publicOrigin).origin === publicOrigin;
  } catch {
    return false;
  }
}

/**
 * next-auth's error codes ("OAuthSignin", "Callback", "AccessDenied"...) are words. Its error
 * endpoint copies the `error` parameter into a redirect's Location header, where a control
 * character makes the response itself fail (a 500, found by the fuzz test): anything but a word
 * is refused first.
 */
export function isNextAuthErrorCode(value: string): boolean {
  return /^[A-Za-z]{1,64}$/.test(value);
}
