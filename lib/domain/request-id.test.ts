import { describe, expect, it } from "vitest";
import { isSafeRequestId, requestIdFrom } from "./request-id";

const fresh = () => "fresh-id";

describe("requestIdFrom", () => {
  it("keeps a proxy's short safe ID, so its access log and ours match", () => {
    expect(requestIdFrom("0b9d3c1e-8f4a-4e2b-9c6d-1a2b3c4d5e6f", fresh)).toBe(
      "0b9d3c1e-8f4a-4e2b-9c6d-1a2b3c4d5e6f",
    );
    expect(requestIdFrom("a1b2c3d4e5f60718", fresh)).toBe("a1b2c3d4e5f60718");
  });

  it("replaces a missing, short, long or unsafe one", () => {
    for (const incoming of [
      undefined,
      null,
      "",
      "short",
      "x".repeat(65),
      "has space inside",
      'quote"injection-id',
      "line\nbreak-forged",
      "ünïcödé-request",
    ])
      expect(requestIdFrom(incoming, fresh)).toBe("fresh-id");
    expect(isSafeRequestId("line\nbreak-forged")).toBe(false);
  });
});
