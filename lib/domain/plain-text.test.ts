import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hasForbiddenCharacter,
  normalisePlainText,
  plainText,
  replaceForbiddenCharacters,
} from "./plain-text";

const note = plainText({ label: "The note", max: 500, multiline: true });
const reason = plainText({ label: "The reason", min: 3, max: 200 });

/** Every character a field refuses somewhere: controls, format characters, separators, lone surrogates. */
const FORBIDDEN_SAMPLES = [
  "\u0000",
  "\u0001",
  "\u0008",
  "\u000B",
  "\u000C",
  "\u001B",
  "\u007F",
  "\u0085",
  "\u009B",
  "\u00AD",
  "\u061C",
  "\u200B",
  "\u200C",
  "\u200D",
  "\u200E",
  "\u200F",
  "\u202A",
  "\u202B",
  "\u202C",
  "\u202D",
  "\u202E",
  "\u2060",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\uFEFF",
  "\u{E0041}",
  "\uD800",
  "\uDC00",
];
const SINGLE_LINE_ONLY = ["\t", "\n", "\r", "\r\n", "\u2028", "\u2029"];

describe("plainText", () => {
  it.each(FORBIDDEN_SAMPLES.map((c) => [c.codePointAt(0)!.toString(16).toUpperCase(), c]))(
    "refuses U+%s inside any field, naming the field",
    (_code, c) => {
      for (const [schema, label] of [
        [note, "The note"],
        [reason, "The reason"],
      ] as const) {
        const result = schema.safeParse(`abc${c}def`);
        expect(result.success).toBe(false);
        expect(result.error!.issues).toHaveLength(1);
        expect(result.error!.issues[0]!.message).toMatch(
          new RegExp(`^${label} contains control or invisible characters`),
        );
      }
    },
  );

  it.each(SINGLE_LINE_ONLY.map((c) => [JSON.stringify(c)]))(
    "allows %s in multi-line notes only",
    (json) => {
      const c = JSON.parse(json) as string;
      expect(note.safeParse(`first${c}second`).success).toBe(true);
      expect(reason.safeParse(`first${c}second`).success).toBe(false);
    },
  );

  it("trims, normalises a textarea's CRLF to LF, and keeps the existing messages", () => {
    expect(note.parse("  line one\r\nline two\rthree \n")).toBe("line one\nline two\nthree");
    expect(reason.parse("\uFEFF  locked out  \uFEFF")).toBe("locked out");
    expect(reason.safeParse("ab").error!.issues[0]!.message).toBe(
      "The reason needs at least 3 characters.",
    );
    expect(reason.safeParse("x".repeat(201)).error!.issues[0]!.message).toBe(
      "Keep the reason under 200 characters.",
    );
    expect(
      plainText({ label: "It", max: 3, tooLong: "Too long." }).safeParse("abcd").error!.issues[0]!
        .message,
    ).toBe("Too long.");
    expect(note.safeParse(new File(["x"], "x.txt")).error!.issues[0]!.message).toBe(
      "The note must be text.",
    );
  });

  it("accepts scripts, accents and emoji that carry no invisible characters", () => {
    for (const text of [
      "Zoë O'Brien",
      "Łódź — café",
      "李小龍",
      "مرحبا بالعالم",
      "👍 ok",
      "a < b & c",
    ])
      expect(reason.parse(text)).toBe(text);
  });

  it("never returns a forbidden character, and returns accepted input in its normal form unchanged", () => {
    const risky = fc.constantFrom(...FORBIDDEN_SAMPLES, ...SINGLE_LINE_ONLY, " ", "a", "é", "😀");
    const text = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc
        .array(fc.oneof(risky, fc.string({ maxLength: 3 })), { maxLength: 20 })
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(text, fc.boolean(), (input, multiline) => {
        const schema = plainText({ label: "The field", max: 10_000, multiline });
        const result = schema.safeParse(input);
        if (!result.success) return;
        expect(hasForbiddenCharacter(result.data, multiline)).toBe(false);
        expect(result.data).toBe(normalisePlainText(input, multiline));
        // Accepted output is a fixed point: parsing it again changes nothing.
        expect(schema.parse(result.data)).toBe(result.data);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses exactly the inputs whose normal form holds a forbidden character", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.boolean(),
        (input, multiline) => {
          const accepted = plainText({ label: "The field", max: 10_000, multiline }).safeParse(
            input,
          ).success;
          expect(accepted).toBe(
            !hasForbiddenCharacter(normalisePlainText(input, multiline), multiline),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("replaceForbiddenCharacters", () => {
  it("replaces what a field would refuse, keeps the rest", () => {
    expect(replaceForbiddenCharacters("webauthn.get\u0000\u202Eevil\nx é")).toBe(
      "webauthn.get\uFFFD\uFFFDevil\uFFFDx é",
    );
  });

  it("never leaves a forbidden character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(hasForbiddenCharacter(replaceForbiddenCharacters(text))).toBe(false);
      }),
    );
  });
});
