import { describe, expect, it } from "vitest";
import {
  DEFAULT_PHONE_REGIONS,
  MATCH,
  matchNote,
  matchTier,
  normalisePhone,
  parseDirectoryQuery,
  parsePhoneRegions,
} from "./directory-query";

const GB_US = DEFAULT_PHONE_REGIONS;

describe("normalisePhone", () => {
  it.each([
    // One London number of record, as callers and caller ID write it.
    ["+44 20 7946 0958", "+442079460958"],
    ["+442079460958", "+442079460958"],
    ["+44 (0)20 7946 0958", "+442079460958"],
    ["+44 (0) 20-7946-0958", "+442079460958"],
    ["020 7946 0958", "+442079460958"],
    ["(020) 7946 0958", "+442079460958"],
    ["020/7946 0958", "+442079460958"],
    ["02079460958", "+442079460958"],
    ["0044 20 7946 0958", "+442079460958"],
    // One American number, nationally and internationally.
    ["(415) 555-0100", "+14155550100"],
    ["415.555.0100", "+14155550100"],
    ["415-555-0100", "+14155550100"],
    ["1-415-555-0100", "+14155550100"],
    ["+1 415 555 0100", "+14155550100"],
    ["011 44 20 7946 0958", "+442079460958"],
  ])("%j is %s", (written, e164) => {
    expect(normalisePhone(written, GB_US)).toEqual([e164]);
  });

  it("reads a national number in each region, keeping only the readings valid there", () => {
    // 020… is London in GB and nothing in the US; (415)… is San Francisco in the US, and in GB a
    // possible length but no valid number: it is not offered as a British number.
    expect(normalisePhone("020 7946 0958", ["US", "GB"])).toEqual(["+442079460958"]);
    expect(normalisePhone("(415) 555-0100", ["GB", "US"])).toEqual(["+14155550100"]);
    // Read only where the desk reads numbers: a Berlin number written nationally is never read as
    // German in GB and US (only as the British number of that length, which is not allocated).
    expect(normalisePhone("030 12345678", GB_US)).toEqual(["+443012345678"]);
    expect(normalisePhone("030 12345678", ["DE"])).toEqual(["+493012345678"]);
  });

  it("gives every region's reading when a national number is valid in more than one", () => {
    // A French and a Dutch mobile number are written alike; both are searched, and the list shows
    // whoever has either (the regions' order is kept).
    expect(normalisePhone("06 12 34 56 78", ["FR", "NL"])).toEqual([
      "+33612345678",
      "+31612345678",
    ]);
    expect(normalisePhone("030 12345678", ["DE", "AT"])).toEqual([
      "+493012345678",
      "+433012345678",
    ]);
    // Two regions of one numbering plan give one number.
    expect(normalisePhone("(604) 555-0123", ["US", "CA"])).toEqual(["+16045550123"]);
  });

  it("keeps a number of a possible length when no region knows it as valid", () => {
    // 07700 900xxx is reserved for drama in the UK: libphonenumber does not call it valid, but a
    // phone of record may be one, and it must still be found.
    expect(normalisePhone("07700 900123", GB_US)).toEqual(["+447700900123"]);
  });

  it.each([
    ["", "nothing"],
    ["12345", "too few digits: an employee ID or part of one"],
    ["20 7946", "6 digits: part of a number"],
    ["E10234", "letters"],
    ["ada", "a name"],
    ["+44 20 7946 0958 ext 12", "words"],
    ["1234567890123456789", "more digits than any number"],
    ["+999 1234 5678", "an unknown country code"],
  ])("%j is no phone number (%s)", (written) => {
    expect(normalisePhone(written, GB_US)).toEqual([]);
  });
});

describe("parsePhoneRegions", () => {
  it("defaults to GB then US, and reads a list in order without repeats", () => {
    expect(parsePhoneRegions(undefined)).toEqual(["GB", "US"]);
    expect(parsePhoneRegions("")).toEqual(["GB", "US"]);
    expect(parsePhoneRegions("de, fr,DE")).toEqual(["DE", "FR"]);
  });

  it("refuses a region it has no numbering plan for, naming it", () => {
    expect(() => parsePhoneRegions("GB,XX")).toThrow(/"XX" is not a region/);
    expect(() => parsePhoneRegions("UK")).toThrow(/"UK" is not a region/);
  });
});

describe("parseDirectoryQuery", () => {
  const none = { employeeId: null, phones: [], email: null, localPart: null, name: null };

  it("reads no search as everyone", () => {
    expect(parseDirectoryQuery(undefined)).toBeNull();
    expect(parseDirectoryQuery("   ")).toBeNull();
  });

  it.each([
    ["E10234", "E10234"],
    ["e10234", "E10234"],
    ["E102", "E102"],
    ["1023", "1023"],
    ["0234", "0234"],
    ["S200240", "S200240"],
  ])("reads %j as (part of) an employee ID", (q, id) => {
    expect(parseDirectoryQuery(q, GB_US)).toEqual({ ...none, employeeId: id });
  });

  it.each([
    ["+44 20 7946 0958", ["442079460958"]],
    ["020 7946 0958", ["442079460958"]],
    ["(415) 555-0100", ["14155550100"]],
    ["415.555.0100", ["14155550100"]],
  ])("reads %j as a phone number, in E.164 digits", (q, phones) => {
    expect(parseDirectoryQuery(q, GB_US)).toEqual({ ...none, phones });
  });

  it("reads digits alone as a phone number and as part of an employee ID", () => {
    expect(parseDirectoryQuery("02079460958", GB_US)).toEqual({
      ...none,
      phones: ["442079460958"],
      employeeId: "02079460958",
    });
  });

  it("reads the regions it is given for a national number", () => {
    expect(parseDirectoryQuery("030 12345678", ["DE"])).toEqual({
      ...none,
      phones: ["493012345678"],
    });
  });

  it("reads something written like a phone number that is none anywhere as matching nobody", () => {
    // Not a name either: searching names for "20 7946" would only find noise.
    expect(parseDirectoryQuery("20 7946", GB_US)).toEqual(none);
    expect(parseDirectoryQuery("+999 1234 5678", GB_US)).toEqual(none);
    expect(parseDirectoryQuery("(12) 34", GB_US)).toEqual(none);
  });

  it("reads text with an @ as an address, whole or in part", () => {
    expect(parseDirectoryQuery("maya.silva@northwind.example")).toEqual({
      ...none,
      email: { text: "maya.silva@northwind.example", whole: true },
    });
    expect(parseDirectoryQuery("@northwind.example")).toEqual({
      ...none,
      email: { text: "@northwind.example", whole: false },
    });
    expect(parseDirectoryQuery("maya.silva@")).toEqual({
      ...none,
      email: { text: "maya.silva@", whole: false },
    });
  });

  it("reads first.last as a work address's local part and as the name 'first last'", () => {
    expect(parseDirectoryQuery("ada.okafor")).toEqual({
      ...none,
      localPart: "ada.okafor",
      name: { words: ["ada", "okafor"], fullNames: ["ada okafor"] },
    });
    expect(parseDirectoryQuery("mary-jane.o'brien")).toEqual({
      ...none,
      localPart: "mary-jane.o'brien",
      name: { words: ["mary-jane", "o'brien"], fullNames: ["mary-jane o'brien"] },
    });
  });

  it("reads a name as words, and the full names it may spell given name first", () => {
    expect(parseDirectoryQuery("okaf")).toEqual({
      ...none,
      name: { words: ["okaf"], fullNames: ["okaf"] },
    });
    expect(parseDirectoryQuery("Ada  Okafor")).toEqual({
      ...none,
      name: { words: ["Ada", "Okafor"], fullNames: ["Ada Okafor", "Okafor Ada"] },
    });
    // Surname first: the first word moved to the end is the name as the directory stores it.
    expect(parseDirectoryQuery("Okafor Ada")).toEqual({
      ...none,
      name: { words: ["Okafor", "Ada"], fullNames: ["Okafor Ada", "Ada Okafor"] },
    });
    expect(parseDirectoryQuery("Smith Mary Jane")?.name?.fullNames).toEqual([
      "Smith Mary Jane",
      "Mary Jane Smith",
    ]);
  });

  it("reads 'Surname, First' as the name 'First Surname'", () => {
    expect(parseDirectoryQuery("Okafor, Ada")).toEqual({
      ...none,
      name: { words: ["Okafor", "Ada"], fullNames: ["Ada Okafor"] },
    });
    expect(parseDirectoryQuery("van der Berg,  Anna Maria")).toEqual({
      ...none,
      name: {
        words: ["van", "der", "Berg", "Anna", "Maria"],
        fullNames: ["Anna Maria van der Berg"],
      },
    });
    // A comma with nothing on one side is only a separator.
    expect(parseDirectoryQuery("Okafor,")?.name).toEqual({
      words: ["Okafor"],
      fullNames: ["Okafor"],
    });
  });
});

describe("MATCH", () => {
  it("ranks exact identifiers, then an exact name, then starts, word starts, anywhere", () => {
    expect(
      [
        MATCH.employeeId,
        MATCH.phone,
        MATCH.email,
        MATCH.workAddress,
        MATCH.fullName,
        MATCH.nameStarts,
        MATCH.employeeIdStarts,
        MATCH.wordsStart,
        MATCH.nameContains,
        MATCH.employeeIdContains,
        MATCH.emailContains,
      ].map(matchTier),
    ).toEqual([0, 0, 0, 0, 1, 2, 2, 3, 4, 4, 4]);
  });

  it("notes the exact matches the results list does not show", () => {
    expect(matchNote(MATCH.phone)).toBe("Phone of record matches");
    expect(matchNote(MATCH.email)).toBe("Email address matches");
    expect(matchNote(MATCH.workAddress)).toBe("Work address matches");
    // The employee ID and the name are in the row itself.
    expect(matchNote(MATCH.employeeId)).toBeNull();
    expect(matchNote(MATCH.fullName)).toBeNull();
    expect(matchNote(null)).toBeNull();
  });
});
