import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";

/** Reverses or shuffles the key order of every object, at every depth. */
function reorder(value: unknown, pick: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, pick));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(pick(Object.keys(object)).map((k) => [k, reorder(object[k], pick)]));
}

// These strings are hashed into audit format v1 and into signed checkpoints: they must never change.
describe("canonicalJson known answers", () => {
  it.each<[string, unknown, string]>([
    [
      "nested objects, sorted at every depth",
      { b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } },
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    ],
    ["arrays keep their order", [3, 1, 2, { b: [], a: {} }], '[3,1,2,{"a":{},"b":[]}]'],
    // UTF-16 code units: U+1F600 (surrogates D83D DE00) sorts before U+FF5A; in code point order it would not.
    // "10" before "9": strings, not the integer-key order JavaScript objects iterate in.
    [
      "unicode and integer-like keys",
      { z: 1, é: 2, "😀": 3, ｚ: 4, Z: 5, "": 6, "10": 7, "9": 8 },
      '{"":6,"10":7,"9":8,"Z":5,"z":1,"é":2,"😀":3,"ｚ":4}',
    ],
    [
      "undefined members dropped, null kept",
      { a: undefined, b: null, c: [null], d: { e: undefined } },
      '{"b":null,"c":[null],"d":{}}',
    ],
    [
      "numbers as JSON.stringify writes them",
      { n: [0, -0, 1.5, 1e21, -2, 0.1, 5e-7, 123456789012345680000] },
      '{"n":[0,0,1.5,1e+21,-2,0.1,5e-7,123456789012345680000]}',
    ],
    [
      "strings escape only what JSON must",
      { s: 'quote " backslash \\ newline \n tab \t nul \u0000 café 😀 lone \ud800 <>&' },
      '{"s":"quote \\" backslash \\\\ newline \\n tab \\t nul \\u0000 café 😀 lone \\ud800 <>&"}',
    ],
    ["a string", "plain", '"plain"'],
    ["a number", 42, "42"],
    ["a boolean", true, "true"],
    ["null", null, "null"],
    ["an empty object", {}, "{}"],
    ["an empty array", [], "[]"],
  ])("%s", (_name, input, expected) => {
    expect(canonicalJson(input)).toBe(expected);
  });
});

describe("canonicalJson properties", () => {
  it("never depends on key order, at any depth, and means what JSON.stringify means", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reorder(value, (keys) => [...keys].reverse()))).toBe(text);
        // A deterministic shuffle from the seed: every key order fast-check can reach, not only the reverse.
        const shuffle = (keys: string[]) =>
          [...keys].sort((a, b) => hash(a, seed) - hash(b, seed) || (a < b ? -1 : 1));
        expect(canonicalJson(reorder(value, shuffle))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("differs when any value or array order differs", () => {
    expect(canonicalJson({ a: 1, b: [1, 2] })).not.toBe(canonicalJson({ a: 1, b: [2, 1] }));
    expect(canonicalJson({ a: "1" })).not.toBe(canonicalJson({ a: 1 }));
  });
});

function hash(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
  return h;
}
