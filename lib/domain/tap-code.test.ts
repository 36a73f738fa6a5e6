import { describe, expect, it } from "vitest";
import { formatTapCode, normalizeTapCode, TAP_ALPHABET, TAP_LENGTH } from "./tap-code";

describe("TAP codes", () => {
  it("carry at least 64 bits", () => {
    expect(TAP_LENGTH * Math.log2(TAP_ALPHABET.length)).toBeGreaterThanOrEqual(80);
    expect(new Set(TAP_ALPHABET).size).toBe(32);
  });

  it.each([
    ["7K3M-9QXA-2B4C-8D0E", "7K3M9QXA2B4C8D0E"],
    ["7k3m 9qxa 2b4c 8d0e", "7K3M9QXA2B4C8D0E"],
    ["7K3M9QXA2B4C8DOE", "7K3M9QXA2B4C8D0E"],
    ["IL00-0000-0000-0000", "1100000000000000"],
    ["7K3M-9QXA-2B4C", null],
    ["7K3M-9QXA-2B4C-8D0E-1", null],
    ["7K3M-9QXA-2B4C-8DUE", null],
    ["", null],
  ])("%j → %j", (input, expected) => {
    expect(normalizeTapCode(input)).toBe(expected);
  });

  it("formats in groups of four", () => {
    expect(formatTapCode("7K3M9QXA2B4C8D0E")).toBe("7K3M-9QXA-2B4C-8D0E");
  });
});
