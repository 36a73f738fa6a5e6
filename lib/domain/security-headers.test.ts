import { describe, expect, it } from "vitest";
import {
  contentSecurityPolicy,
  edgeResponseHeaders,
  STATIC_SECURITY_HEADERS,
  strictTransportSecurity,
} from "./security-headers";

describe("contentSecurityPolicy", () => {
  it("allows scripts only with the response's nonce, and nothing to embed, plug in or rebase", () => {
    const csp = contentSecurityPolicy({ nonce: "abc123", dev: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    for (const directive of [
      "default-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ]) {
      expect(csp).toContain(directive);
    }
  });

  it("lets React's development build evaluate code, in development only", () => {
    expect(contentSecurityPolicy({ nonce: "n", dev: true })).toContain("'unsafe-eval'");
  });
});

describe("strictTransportSecurity", () => {
  it("is sent only when the console is served over https", () => {
    expect(strictTransportSecurity("https://console.northwind.example")).toMatch(/^max-age=\d+/);
    expect(strictTransportSecurity("http://localhost:3000")).toBeNull();
  });
});

describe("edgeResponseHeaders", () => {
  it("are a page's headers: the static ones, the nonce policy, HSTS over https, never cached", () => {
    const headers = edgeResponseHeaders({
      nonce: "n0nce",
      dev: false,
      publicUrl: "https://console.northwind.example",
    });
    for (const { key, value } of STATIC_SECURITY_HEADERS.filter(
      (h) => h.key !== "Content-Security-Policy",
    ))
      expect(headers[key.toLowerCase()]).toBe(value);
    expect(headers["content-security-policy"]).toBe(
      contentSecurityPolicy({ nonce: "n0nce", dev: false }),
    );
    expect(headers["strict-transport-security"]).toMatch(/^max-age=/);
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(
      edgeResponseHeaders({ nonce: "n", dev: false, publicUrl: "http://localhost:3000" }),
    ).not.toHaveProperty("strict-transport-security");
  });
});
