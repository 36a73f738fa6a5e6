import { describe, expect, it } from "vitest";
import { formatCheckpoint, parseCheckpoint } from "./checkpoint";
import { EMPTY_ROOT } from "./merkle";
import { NoteError, noteVerifier, openNote, rawPublicKey, signNote, verifierKey } from "./note";
import { testKey } from "./test-keys";

// The tlog-checkpoint specification's example body.
const SPEC_BODY =
  "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

describe("checkpoint bodies", () => {
  it("parses the spec's example and formats it back byte for byte", () => {
    const checkpoint = parseCheckpoint(SPEC_BODY);
    expect(checkpoint).toMatchObject({
      origin: "example.com/behind-the-sofa",
      size: 20852163,
      extensions: [],
    });
    expect(checkpoint.rootHash.toString("base64")).toBe(
      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
    );
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_BODY);
  });

  it("keeps extension lines", () => {
    const body = formatCheckpoint({
      origin: "recovery.example.com/audit",
      size: 0,
      rootHash: EMPTY_ROOT,
      extensions: ["ext one", "two"],
    });
    expect(body).toBe(
      "recovery.example.com/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\ntwo\n",
    );
    expect(parseCheckpoint(body).extensions).toEqual(["ext one", "two"]);
  });

  it("signs and opens with a fixed key to fixed bytes", () => {
    const key = testKey(42);
    const origin = "recovery.example.com/audit";
    const body = formatCheckpoint({ origin, size: 3, rootHash: Buffer.alloc(32, 0xab) });
    const note = signNote(body, origin, key);
    const vkey = verifierKey(origin, rawPublicKey(key));
    // Ed25519 is deterministic: the same key and body always give this note.
    expect(note).toBe(
      "recovery.example.com/audit\n3\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n" +
        "\u2014 recovery.example.com/audit B6SLIIAsOgcZCoARakOf+zYyJIJ60GGQJVlGjoKz6T6TEZoH5BOntnug1LuPWWRMDY13tHPL5LdiIRAmYD1uRqRicQk=\n",
    );
    expect(vkey).toBe(
      "recovery.example.com/audit+07a48b20+ARl/ayPhbIUyxqvIOPrNXqeJvgx2spIDNAOb+os9No1h",
    );
    const opened = openNote(note, [noteVerifier(vkey)]);
    expect(opened.signatures[0]!.verified).toBe(true);
    expect(parseCheckpoint(opened.text).size).toBe(3);
  });

  const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  const bad: Record<string, string> = {
    "no final newline": SPEC_BODY.slice(0, -1),
    "two lines": "origin\n5\n",
    "leading zero": `origin\n05\n${root}\n`,
    "negative size": `origin\n-5\n${root}\n`,
    "plus sign": `origin\n+5\n${root}\n`,
    "size beyond 2^53": `origin\n9007199254740993\n${root}\n`,
    "short root": `origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n`,
    "root of 31 bytes": `origin\n5\n${Buffer.alloc(31).toString("base64")}\n`,
    "empty origin": `\n5\n${root}\n`,
    "empty extension": `origin\n5\n${root}\n\nx\n`,
    "carriage return": `origin\r\n5\n${root}\n`,
  };
  for (const [what, text] of Object.entries(bad)) {
    it(`refuses ${what}`, () => expect(() => parseCheckpoint(text)).toThrow(NoteError));
  }

  it("formats only sound checkpoints", () => {
    const rootHash = EMPTY_ROOT;
    expect(() => formatCheckpoint({ origin: "a b", size: 1, rootHash })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "a+b", size: 1, rootHash })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "", size: 1, rootHash })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "o", size: -1, rootHash })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "o", size: 1.5, rootHash })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "o", size: 1, rootHash: Buffer.alloc(3) })).toThrow(
      NoteError,
    );
    expect(() =>
      formatCheckpoint({ origin: "o", size: 1, rootHash, extensions: ["a\nb"] }),
    ).toThrow(NoteError);
  });
});
