/**
 * How the directory reads what an agent types (docs/decisions/022, "Issue 12"). A caller gives a
 * phone number as they write it, part of an employee ID, their address without the domain, or
 * their name surname first; the agent types that in one box. This module says what the text may
 * be, and lib/server/workforce-directory.ts turns each reading into SQL and ranks the matches:
 * exact identifiers first, then names by how well they match.
 *
 * Pure: no database, no configuration. The regions a national phone number is read in come from
 * the caller (DIRECTORY_PHONE_REGIONS, lib/env.ts).
 */
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from "libphonenumber-js";

/** Where a number written without its country code ("020 7946 0958", "(415) 555-0100") is read. */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = ["GB", "US"];

/** `GB,US`: ISO 3166 regions, in order; refuses one libphonenumber does not know. */
export function parsePhoneRegions(value: string | undefined): CountryCode[] {
  if (!value?.trim()) return [...DEFAULT_PHONE_REGIONS];
  const regions = value.split(",").map((region) => region.trim().toUpperCase());
  for (const region of regions)
    if (!isSupportedCountry(region))
      throw new Error(`"${region}" is not a region phone numbers are known for (e.g. GB, US, DE).`);
  return [...new Set(regions)] as CountryCode[];
}

/** Digits, spaces and the punctuation people write numbers with; an optional leading +. */
const PHONE_TEXT = /^\+?[\d\s().\-/]+$/;
/** Fewer digits than this is not a phone number anywhere (an employee ID, a fragment). */
export const MIN_PHONE_DIGITS = 7;
/** E.164 allows 15 digits; an international call prefix (00, 011) adds up to 3. */
const MAX_PHONE_DIGITS = 18;

/**
 * The numbers `text` may be, in E.164 ("+442079460958"), or none when it is not a phone number.
 *
 * - Written internationally ("+44 20 7946 0958", "+44 (0)20 7946 0958"): that number.
 * - Written nationally ("020 7946 0958", "(415) 555-0100", "415.555.0100") or with an
 *   international call prefix ("0044 20 …", "011 44 20 …"): read in each region; the readings
 *   that are valid numbers there. When no reading is valid (a number from a range that is not
 *   allocated yet, a drama number), the readings of a possible length, so a number of record that
 *   libphonenumber does not know is still found.
 *
 * A national number valid in two regions gives both: the directory shows whoever has either.
 */
export function normalisePhone(text: string, regions: readonly CountryCode[]): string[] {
  const written = text.trim();
  if (!PHONE_TEXT.test(written)) return [];
  const digits = written.replace(/\D/g, "").length;
  if (digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) return [];
  const readings: PhoneNumber[] = (
    written.startsWith("+")
      ? [parsePhoneNumberFromString(written)]
      : regions.map((region) => parsePhoneNumberFromString(written, region))
  ).filter((reading): reading is PhoneNumber => reading !== undefined);
  const valid = readings.filter((reading) => reading.isValid());
  const chosen = valid.length > 0 ? valid : readings.filter((reading) => reading.isPossible());
  return [...new Set(chosen.map((reading) => reading.number as string))];
}

/**
 * What a search may mean. Every part that is not null is searched; a user matching any of them is
 * shown, ranked by the best way they matched (lib/server/workforce-directory.ts).
 */
export type DirectoryQuery = {
  /** Part of an employee ID, upper-cased: the ID itself first, then IDs starting with it, then containing it. */
  employeeId: string | null;
  /** The E.164 numbers (digits only, no +) the phone of record may be. */
  phones: string[];
  /**
   * Text with an @: any address containing it; when it is a whole address ("a@b"), that address
   * exactly first.
   */
  email: { text: string; whole: boolean } | null;
  /** `first.last`: the local part of a work address, exactly (`first.last@…`). */
  localPart: string | null;
  /** Words of a name, each found anywhere in it, and the full names the query may spell. */
  name: { words: string[]; fullNames: string[] } | null;
};

const NOTHING: DirectoryQuery = {
  employeeId: null,
  phones: [],
  email: null,
  localPart: null,
  name: null,
};

/** Letters (up to 3) then digits: an employee ID or part of one ("E10234", "E102", "1023"). */
const EMPLOYEE_ID_TEXT = /^[a-z]{0,3}\d+$/i;
/** `first.last` (or `first.middle.last`): address characters around dots, no @, no spaces. */
const LOCAL_PART_TEXT = /^[\p{L}\p{N}'_+-]+(?:\.[\p{L}\p{N}'_+-]+)+$/u;

/**
 * Reads a search (already checked by DirectorySearchSchema: at most 100 characters of letters,
 * digits, spaces and . @ ' _ + - ( ) ,).
 *
 * - an @: an email address or part of one;
 * - a phone number in any common written form (normalisePhone); digits alone are also a part of
 *   an employee ID;
 * - up to 3 letters then digits: a part of an employee ID;
 * - `first.last`: the work address's local part, and the name "first last";
 * - otherwise a name: "Ada Okafor", "Okafor Ada" (surname first), "Okafor, Ada", "okaf".
 */
export function parseDirectoryQuery(
  q: string | undefined,
  regions: readonly CountryCode[] = DEFAULT_PHONE_REGIONS,
): DirectoryQuery | null {
  const text = q?.trim().replace(/\s+/g, " ") ?? "";
  if (!text) return null;
  if (text.includes("@"))
    return { ...NOTHING, email: { text, whole: /^[^@\s]+@[^@\s]+$/.test(text) } };
  const phones = normalisePhone(text, regions).map((number) => number.slice(1));
  const employeeId = EMPLOYEE_ID_TEXT.test(text) ? text.toUpperCase() : null;
  if (phones.length > 0 || employeeId) return { ...NOTHING, phones, employeeId };
  if (PHONE_TEXT.test(text) && /\d/.test(text) && !/\p{L}/u.test(text))
    // Looks like a phone number but is not one anywhere the desk reads numbers: nothing matches.
    return { ...NOTHING };
  if (LOCAL_PART_TEXT.test(text) && /\p{L}/u.test(text)) {
    const words = text.split(".");
    return { ...NOTHING, localPart: text, name: { words, fullNames: [words.join(" ")] } };
  }
  return { ...NOTHING, name: nameQuery(text) };
}

/**
 * The words of a name query and the full names it may spell, given name first as the directory
 * stores them: "Okafor, Ada" is "Ada Okafor"; "Okafor Ada" may be "Okafor Ada" as typed or "Ada
 * Okafor" (the first word, a surname, moved to the end).
 */
function nameQuery(text: string): { words: string[]; fullNames: string[] } {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const parts = text.split(",").map((part) => part.trim());
  if (parts.length === 2 && parts[0] && parts[1])
    return { words, fullNames: [`${parts[1]} ${parts[0]}`.replace(/\s+/g, " ")] };
  const asTyped = words.join(" ");
  if (words.length < 2) return { words, fullNames: [asTyped] };
  return { words, fullNames: [asTyped, [...words.slice(1), words[0]].join(" ")] };
}

/**
 * How a user matched, best first. The directory orders by `tier` (the tens), then by name: an
 * exact identifier (tier 0) before an exact full name (1), a name or ID that starts with the query
 * (2), a name whose words start with the query's words (3), and anything containing it (4).
 */
export const MATCH = {
  employeeId: 0,
  phone: 1,
  email: 2,
  workAddress: 3,
  fullName: 10,
  nameStarts: 20,
  employeeIdStarts: 21,
  wordsStart: 30,
  nameContains: 40,
  employeeIdContains: 41,
  emailContains: 42,
  /** No search: everyone, by name. */
  everyone: 40,
} as const;
export type MatchCode = (typeof MATCH)[keyof typeof MATCH];

export function matchTier(code: number): number {
  return Math.floor(code / 10);
}

/** What the results list says about an exact match the row itself does not show. */
export function matchNote(code: number | null | undefined): string | null {
  if (code === MATCH.phone) return "Phone of record matches";
  if (code === MATCH.email) return "Email address matches";
  if (code === MATCH.workAddress) return "Work address matches";
  return null;
}
