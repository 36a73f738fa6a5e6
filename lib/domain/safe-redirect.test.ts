import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-redirect";

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
  ])("%j → %s", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
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
