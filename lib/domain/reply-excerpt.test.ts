import { describe, expect, it } from "vitest";
import { REDACTED, REPLY_EXCERPT_LIMIT, replyExcerpt } from "./reply-excerpt";

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
});
