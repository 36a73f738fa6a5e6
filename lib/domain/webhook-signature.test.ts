import { describe, expect, it } from "vitest";
import { hmacKeysFromText, signatureHeader } from "./webhook-signature";

const key = (c: string) => c.repeat(32);

describe("webhook signatures", () => {
  it("puts every signature in one header, newest first", () => {
    expect(signatureHeader(["sha256=aa"])).toBe("sha256=aa");
    expect(signatureHeader(["sha256=aa", "sha256=bb"])).toBe("sha256=aa, sha256=bb");
  });

  it("reads one key, or two while rotating (the new one first), ignoring blank lines and spaces", () => {
    expect(hmacKeysFromText(`${key("a")}\n`)).toEqual({ ok: true, keys: [key("a")] });
    expect(hmacKeysFromText(`  ${key("b")}\r\n\n${key("a")}  \n`)).toEqual({
      ok: true,
      keys: [key("b"), key("a")],
    });
  });

  it("refuses an empty file, three keys or a short key, without repeating any key", () => {
    const problems = [
      "",
      " \n ",
      `${key("a")}\n${key("b")}\n${key("c")}`,
      `${key("a")}\nshort`,
    ].map((text) => {
      const read = hmacKeysFromText(text);
      return read.ok ? null : read.problem;
    });
    expect(problems).toEqual([
      "is empty",
      "is empty",
      "holds 3 keys: one, or two while rotating (the new one first)",
      "has a key shorter than 32 characters",
    ]);
    for (const problem of problems) expect(problem).not.toContain("aaaa");
  });
});
