/**
 * The headers every response carries (next.config.ts sends them on every path Next serves; the
 * edge's own refusals carry them too, scripts/lib/edge.ts). The CSP here is the minimal one for
 * static files; pages and everything else proxy.ts sees get the full policy with a nonce below.
 */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  {
    key: "Content-Security-Policy",
    value: "frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
  },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/**
 * The headers of a response the edge writes itself (a 400, 403 or 413 before Next): the same as
 * a page's (the static headers, the nonce CSP, HSTS over https), never cached, plain text.
 */
export function edgeResponseHeaders(input: {
  nonce: string;
  dev: boolean;
  publicUrl: string;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, value } of STATIC_SECURITY_HEADERS) headers[key.toLowerCase()] = value;
  headers["content-security-policy"] = contentSecurityPolicy(input);
  const hsts = strictTransportSecurity(input.publicUrl);
  if (hsts) headers["strict-transport-security"] = hsts;
  headers["cache-control"] = "no-store";
  headers["content-type"] = "text/plain; charset=utf-8";
  return headers;
}

/**
 * The content security policy of every page (docs/security-requirements.md G5): scripts only with
 * this response's nonce (and what they load, 'strict-dynamic'), nothing embeddable, no plugins,
 * no <base> rewrites, forms only to this site. Styles allow inline attributes because the charts
 * draw with them; nonces do not cover style attributes.
 */
export function contentSecurityPolicy(input: { nonce: string; dev: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code; production never does.
    `script-src 'self' 'nonce-${input.nonce}' 'strict-dynamic'${input.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** HSTS only when the console's public URL is https (decided at run time, never at build time). */
export function strictTransportSecurity(publicUrl: string): string | null {
  return publicUrl.startsWith("https://") ? "max-age=31536000; includeSubDomains" : null;
}
