/**
 * Where to go after signing in. Only a path on this site is accepted (no scheme, no host,
 * no protocol-relative `//`, no backslash tricks), so a crafted link cannot send a staff
 * member elsewhere after sign-in (an open redirect).
 */
export function safeCallbackPath(value: unknown, fallback = "/users"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  if (value.startsWith("/api/") || value.startsWith("/sign-in")) return fallback;
  return value;
}
