import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isNextAuthErrorCode, isOwnCallbackUrl, safeCallbackPath } from "./safe-redirect";

describe("safeCallbackPath", () => {
  it.each([
    ["/users", "/users"],
    ["/users/3f1c?tab=passkeys", "/users/3f1c?tab=passkeys"],
    ["/audit", "/audit"],
    ["", "/users"],
    [undefined, "/users"],
    [["/users"], "/users"],
    ["https://evil.example/", "/users"],
    ["//evil.example/users", "/users"],
    ["/\\evil.example", "/users"],
    ["javascript:alert(1)", "/users"],
    ["/users\n/evil", "/users"],
    ["/api/auth/signout", "/users"],
    ["/sign-in?callbackUrl=/users", "/users"],
    ["/" + "a".repeat(600), "/users"],
    // Dot segments and encodings the browser resolves before it navigates.
    ["/..//evil.example", "/users"],
    ["/./..//evil.example/x", "/users"],
    ["/%2e%2e//evil.example", "/users"],
    ["/%2E%2E/%2F/evil.example", "/users"],
    ["/users/..//evil.example", "/users"],
    ["/\t/evil.example", "/users"],
    ["/cases/../users", "/users"],
    ["/cases/./abc?x=1#h", "/cases/abc?x=1#h"],
    ["/sign-in/../sign-in?callbackUrl=//evil", "/users"],
  ])("%j → %s", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });

  it("only ever returns a path the browser resolves to this site, unchanged", () => {
    const tricky = fc.constantFrom(
      "/",
      "\\",
      ".",
      "..",
      "%2e",
      "%2E",
      "%2f",
      "%5c",
      "@",
      ":",
      "evil.example",
      "?",
      "#",
      "\t",
      "users",
      "//",
    );
    fc.assert(
      fc.property(
        fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join("")),
        (input) => {
          const path = safeCallbackPath(input);
          // What the browser's router does with the result: resolve it against the page's origin.
          const resolved = new URL(path, "https://console.example");
          expect(resolved.origin).toBe("https://console.example");
          expect(`${resolved.pathname}${resolved.search}${resolved.hash}`).toBe(path);
          expect(path.startsWith("//")).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("only ever returns a path on this site", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.constant("//x")), (input) => {
        const path = safeCallbackPath(input);
        expect(path.startsWith("/")).toBe(true);
        expect(path.startsWith("//")).toBe(false);
        expect(new URL(path, "https://console.example").origin).toBe("https://console.example");
      }),
    );
  });
});

describe("isOwnCallbackUrl", () => {
  const ORIGIN = "https://console.northwind.example";
  it.each([
    ["/users", true],
    ["/cases/abc?x=1", true],
    [`${ORIGIN}/users`, true],
    ["HTTPS://console.northwind.example/x", true],
    ["//evil.example/users", false],
    ["https://evil.example/", false],
    ["https:evil.example", false],
    ["jsc", false],
    [" /users", false],
    ["javascript:alert(1)", false],
    ["http://[", false],
    ["/" + "a".repeat(3000), false],
  ])("%j → %s", (value, expected) => {
    expect(isOwnCallbackUrl(value, ORIGIN)).toBe(expected);
  });

  it("accepts nothing next-auth would refuse with its 'server configuration' error", () => {
    // next-auth's own check (core/lib/assert.js): an http(s) URL, relative ones against the base.
    const nextAuthAccepts = (url: string) => {
      try {
        return /^https?:/.test(new URL(url, url.startsWith("/") ? ORIGIN : undefined).protocol);
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.webPath(),
          fc.constantFrom("/", "//", "/\\", "http:"),
        ),
        (value) => {
          if (isOwnCallbackUrl(value, ORIGIN)) expect(nextAuthAccepts(value)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("isNextAuthErrorCode", () => {
  it("takes next-auth's error codes and refuses anything that could break a Location header", () => {
    for (const code of ["OAuthSignin", "Callback", "AccessDenied", "Configuration"])
      expect(isNextAuthErrorCode(code)).toBe(true);
    for (const bad of ["\u001b[2J", "a b", "x\r\nSet-Cookie: y", "", "é", "x".repeat(65)])
      expect(isNextAuthErrorCode(bad)).toBe(false);
  });
});
