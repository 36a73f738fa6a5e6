import { describe, expect, it } from "vitest";
import { REDACTED, REPLY_EXCERPT_LIMIT, replyExcerpt, urlSecrets } from "./reply-excerpt";

const TOKEN = "s3cr3t-receiver-token-9f8e7d";

describe("replyExcerpt", () => {
  it("quotes printable ASCII only, trimmed, at most 200 characters", () => {
    expect(replyExcerpt("  bad\r\n\trequest\u0000é ", [])).toBe("bad request");
    expect(replyExcerpt("x".repeat(1000), [])).toHaveLength(REPLY_EXCERPT_LIMIT);
    expect(replyExcerpt("", [])).toBe("");
  });

  it("cuts out a credential the console sent, whole or as the token after its scheme", () => {
    const echoed = `{"error":"denied","headers":{"authorization":"Bearer ${TOKEN}"},"seen":"${TOKEN}"}`;
    const excerpt = replyExcerpt(echoed, [`Bearer ${TOKEN}`]);
    expect(excerpt).not.toContain(TOKEN);
    expect(excerpt).not.toContain(TOKEN.slice(0, 12));
    expect(excerpt).toBe(
      `{"error":"denied","headers":{"authorization":"${REDACTED}"},"seen":"${REDACTED}"}`,
    );
  });

  it("cuts a credential that straddles the limit before shortening, leaving no prefix of it", () => {
    const text = `${"a".repeat(REPLY_EXCERPT_LIMIT - 5)}${TOKEN}`;
    const excerpt = replyExcerpt(text, [TOKEN]);
    expect(excerpt).toBe(`${"a".repeat(REPLY_EXCERPT_LIMIT - 5)}${REDACTED.slice(0, 5)}`);
  });

  it("leaves short header values and scheme names alone", () => {
    expect(replyExcerpt("tenant 42 via Bearer auth failed", ["42", "Bearer 42"])).toBe(
      "tenant 42 via Bearer auth failed",
    );
  });

  it("cuts a credential echoed JSON-escaped or percent-encoded", () => {
    const base64 = "tK3/9vQz+Lw8mR2/Xp7nB4yC6hJ1dF0sA5eG==";
    for (const echoed of [
      `{"Authorization":"Bearer ${base64.replaceAll("/", "\\/")}"}`,
      `request=authorization=${encodeURIComponent(`Bearer ${base64}`)}`,
    ])
      expect(replyExcerpt(echoed, [`Bearer ${base64}`])).not.toContain("Lw8mR2");
  });

  it("takes the credentials a receiver's URL carries: user info, long path segments and query values", () => {
    const secrets = urlSecrets(
      "https://user:pa55w0rd-long-enough-x@collectors.example/receiver/v1/http/ZaVnC4dhaV2ZvJ1Ft9Yh?code=q8Zt0XyLmN3vB7cR%2B2wK&region=eu",
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        "pa55w0rd-long-enough-x",
        "ZaVnC4dhaV2ZvJ1Ft9Yh",
        "q8Zt0XyLmN3vB7cR%2B2wK",
        "q8Zt0XyLmN3vB7cR+2wK",
      ]),
    );
    // Route words and short values are not secrets.
    for (const word of ["receiver", "v1", "http", "eu", "user"])
      expect(secrets).not.toContain(word);
    expect(urlSecrets("not a url")).toEqual([]);
    const excerpt = replyExcerpt(
      "Cannot POST /receiver/v1/http/ZaVnC4dhaV2ZvJ1Ft9Yh?code=q8Zt0XyLmN3vB7cR%2B2wK",
      secrets,
    );
    expect(excerpt).toBe(`Cannot POST /receiver/v1/http/${REDACTED}?code=${REDACTED}`);
  });
});
