/**
 * Free text at every boundary (docs/security-requirements.md G3, G8): one zod helper for every
 * field a person types into, so that no note, reason or search term carries characters that
 * hide or reorder what a reviewer later reads.
 *
 * Refused, with a message naming the field:
 * - control characters (Unicode category Cc: NUL, the rest of C0, DEL and C1); tab, line feed and
 *   carriage return only in multi-line fields;
 * - format characters (Unicode category Cf), which render as nothing or change how the text
 *   around them is displayed: the bidi embeddings, overrides and isolates (U+202A–U+202E,
 *   U+2066–U+2069, U+061C), zero-width spaces and joiners and the direction marks
 *   (U+200B–U+200F), the word joiner (U+2060), the byte order mark (U+FEFF) inside the text,
 *   the soft hyphen and the invisible tag characters (U+E0000–U+E007F);
 * - the line and paragraph separators (U+2028, U+2029) outside multi-line fields;
 * - unpaired surrogates (not text at all; only a hand-made JSON body can carry them).
 *
 * Changed rather than refused, because nothing is lost:
 * - leading and trailing whitespace is trimmed, as the fields always were. String.trim also drops
 *   a BOM at either end: there it is an editor's leftover that displays as nothing and means
 *   nothing (inside the text it is refused like any other format character);
 * - in multi-line fields, CRLF and lone CR become LF: browsers submit a textarea's line breaks as
 *   CRLF (HTML's form submission rules), and one kind of line break is what the audit trail keeps.
 */
import { z } from "zod";

// Cc except tab, LF and CR; all of Cf; the line and paragraph separators.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const FORMAT = /\p{Cf}/u;
const LINE_BREAKS = /[\t\n\r\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text has a character no field accepts (or, outside multi-line fields, a line break or tab). */
export function hasForbiddenCharacter(text: string, multiline = false): boolean {
  return (
    CONTROL.test(text) ||
    FORMAT.test(text) ||
    LONE_SURROGATE.test(text) ||
    (!multiline && LINE_BREAKS.test(text))
  );
}

/**
 * For text no person typed but a client can shape (a library's error message quoting a WebAuthn
 * response, say) on its way into the audit trail: every character a field would refuse becomes
 * U+FFFD, so the row can always be written (jsonb refuses NUL) and shows where something was.
 */
export function replaceForbiddenCharacters(text: string): string {
  return text.replace(
    new RegExp(
      `${CONTROL.source}|${FORMAT.source}|${LONE_SURROGATE.source}|[\t\n\r\u2028\u2029]`,
      "gu",
    ),
    "\uFFFD",
  );
}

/** What plainText stores: trimmed, and in multi-line fields with LF line breaks only. */
export function normalisePlainText(text: string, multiline = false): string {
  const trimmed = text.trim();
  return multiline ? trimmed.replace(/\r\n?/g, "\n") : trimmed;
}

export type PlainTextOptions = {
  /** The field as people see it, at the start of a sentence: "The note", "The reason". */
  label: string;
  max: number;
  min?: number;
  /** Notes typed into a textarea: tabs and line breaks allowed. */
  multiline?: boolean;
  /** The message when shorter than `min` (default: "<label> needs at least <min> characters."). */
  tooShort?: string;
  /** The message when longer than `max` (default: "Keep <label> under <max> characters."). */
  tooLong?: string;
};

/** The message for a field with a refused character. */
export function forbiddenCharacterMessage(label: string, multiline = false): string {
  return `${label} contains control or invisible characters (such as a zero-width space or a text-direction mark${multiline ? "" : ", a tab or a line break"}). Type it again without them.`;
}

/**
 * A string field of free text: trimmed (and line breaks normalised when multi-line), then refused
 * if it has a control or invisible format character, then checked for length. Chain
 * `.default("")` or `.optional()` as with any zod string.
 */
export function plainText(options: PlainTextOptions) {
  const { label, max, min = 0, multiline = false } = options;
  const lower = label.charAt(0).toLowerCase() + label.slice(1);
  return z
    .string({ error: `${label} must be text.` })
    .overwrite((text) => normalisePlainText(text, multiline))
    .refine((text) => !hasForbiddenCharacter(text, multiline), {
      message: forbiddenCharacterMessage(label, multiline),
      abort: true,
    })
    .min(min, options.tooShort ?? `${label} needs at least ${min} characters.`)
    .max(max, options.tooLong ?? `Keep ${lower} under ${max.toLocaleString("en")} characters.`);
}
