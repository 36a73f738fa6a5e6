import { describe, expect, it } from "vitest";
import { sessionCookie } from "./cookies";

describe("sessionCookie", () => {
  it("is __Host- prefixed, Secure, HttpOnly, SameSite=Lax and host-wide over https", () => {
    expect(sessionCookie(true)).toEqual({
      name: "__Host-console.session",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
    });
  });

  it("drops only the prefix and Secure on plain http (local demo), which browsers require", () => {
    expect(sessionCookie(false)).toEqual({
      name: "console.session",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: false },
    });
  });
});
