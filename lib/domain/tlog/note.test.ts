import { describe, expect, it } from "vitest";
import {
  NoteError,
  noteKeyId,
  noteVerifier,
  openNote,
  parseVerifierKey,
  rawPublicKey,
  signNote,
  trustedBy,
  verifierKey,
} from "./note";
import { testKey } from "./test-keys";

// The signed-note specification's example.
const SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE =
  "This is an example message.\n\n" +
  "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
const QUASIMODO =
  "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n" +
  "\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

describe("the specification's example", () => {
  it("parses the vkey and recomputes its key id", () => {
    const key = parseVerifierKey(SPEC_VKEY);
    expect(key).toMatchObject({ name: "example.com/foo", keyId: 0x530d903a, type: 1 });
    expect(noteKeyId(key.name, key.publicKey)).toBe(0x530d903a);
    expect(verifierKey(key.name, key.publicKey)).toBe(SPEC_VKEY);
  });

  it("verifies the example note exactly", () => {
    const opened = openNote(SPEC_NOTE, [noteVerifier(SPEC_VKEY)]);
    expect(opened.text).toBe("This is an example message.\n");
    expect(opened.signatures).toMatchObject([
      { name: "example.com/foo", keyId: 0x530d903a, known: true, verified: true },
    ]);
    expect(trustedBy(opened, noteVerifier(SPEC_VKEY))).toBe(true);
  });

  it("fails the example note once a byte of its text changes", () => {
    const altered = SPEC_NOTE.replace("example message", "example massage");
    const opened = openNote(altered, [noteVerifier(SPEC_VKEY)]);
    expect(opened.signatures[0]).toMatchObject({ known: true, verified: false });
    expect(trustedBy(opened, noteVerifier(SPEC_VKEY))).toBe(false);
  });

  it("reports the poem's signature as unknown, and takes its text up to the last blank line", () => {
    const opened = openNote(QUASIMODO, [noteVerifier(SPEC_VKEY)]);
    expect(opened.text).toBe(
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n",
    );
    expect(opened.signatures).toMatchObject([
      { name: "quasimodo.example/salvatore", known: false, verified: false },
    ]);
  });

  it("treats a key sharing only the name or only the id as unknown", () => {
    const other = verifierKey("example.com/foo", rawPublicKey(testKey(1)));
    const opened = openNote(SPEC_NOTE, [noteVerifier(other)]);
    expect(opened.signatures[0]).toMatchObject({ known: false, verified: false });
  });
});

describe("signing with a fixed key", () => {
  const key = testKey(7);
  const pub = rawPublicKey(key);
  const vkey = verifierKey("audit.example/log", pub);

  it("is deterministic and verifies", () => {
    const note = signNote("hello\nworld\n", "audit.example/log", key);
    expect(signNote("hello\nworld\n", "audit.example/log", key)).toBe(note);
    expect(note.startsWith("hello\nworld\n\n\u2014 audit.example/log ")).toBe(true);
    const opened = openNote(note, [noteVerifier(vkey)]);
    expect(opened.signatures[0]).toMatchObject({ known: true, verified: true });
    expect(parseVerifierKey(vkey).keyId).toBe(noteKeyId("audit.example/log", pub));
  });

  it("keeps several signatures, known and unknown", () => {
    const note = signNote("text\n", "a.example/one", key);
    const second = signNote("text\n", "b.example/two", testKey(8)).split("\n\n")[1]!;
    const both = note + second;
    const opened = openNote(both, [noteVerifier(verifierKey("a.example/one", pub))]);
    expect(opened.signatures.map((s) => [s.name, s.known, s.verified])).toEqual([
      ["a.example/one", true, true],
      ["b.example/two", false, false],
    ]);
  });
});

describe("strict parsing", () => {
  const good = signNote("text\n", "a.example/one", testKey(1));
  const sig = good.split("\n\n")[1]!;
  const bad: Record<string, string | Uint8Array> = {
    "no blank line": "text\n" + sig,
    "no signatures": "text\n\n",
    "signature line without newline": good.slice(0, -1),
    "a hyphen for the em dash": good.replace("\u2014", "-"),
    "two spaces": good.replace("\u2014 ", "\u2014  "),
    "tab in text": "te\txt\n\n" + sig,
    "carriage return": good.replace("text\n", "text\r\n"),
    "bad base64": good.replace(/ ([^ ]+)\n$/, " !!!!\n"),
    "unpadded base64": good.replace(/=\n$/, "\n"),
    "short signature": "text\n\n\u2014 a.example/one AAAA\n",
    "plus in key name": good.replace("a.example/one", "a.example+one"),
    "blank signature line": good + "\n",
    "invalid UTF-8": Buffer.concat([Buffer.from("te"), Buffer.of(0xff), Buffer.from("\n\n" + sig)]),
    "lone surrogate": "te\ud800xt\n\n" + sig,
    "too many signatures": "text\n\n" + sig.repeat(101),
  };
  for (const [what, note] of Object.entries(bad)) {
    it(`refuses ${what}`, () => expect(() => openNote(note, [])).toThrow(NoteError));
  }

  it("refuses to sign text without a final newline or with control characters", () => {
    expect(() => signNote("text", "a.example/one", testKey(1))).toThrow(NoteError);
    expect(() => signNote("a\u0000b\n", "a.example/one", testKey(1))).toThrow(NoteError);
    expect(() => signNote("text\n", "a b", testKey(1))).toThrow(NoteError);
  });

  it("refuses malformed vkeys", () => {
    for (const vkey of [
      "",
      "name",
      "example.com/foo+530d903a",
      "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
      "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
      "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
      "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    ]) {
      expect(() => parseVerifierKey(vkey), vkey).toThrow(NoteError);
    }
  });
});
