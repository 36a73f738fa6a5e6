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
