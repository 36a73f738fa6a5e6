import { describe, expect, it } from "vitest";
import { atLeast } from "./equal-timing";

describe("atLeast", () => {
  it("answers no sooner than the floor, whether the work returned or threw", async () => {
    const start = performance.now();
    await expect(atLeast(120, async () => "value")).resolves.toBe("value");
    expect(performance.now() - start).toBeGreaterThanOrEqual(119);

    const again = performance.now();
    await expect(
      atLeast(120, async () => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(performance.now() - again).toBeGreaterThanOrEqual(119);
  });
});
