/**
 * What a delivery's status (shown on the reviewer's page, written to the log) may quote of a
 * receiver's answer to a failed delivery: printable ASCII, runs of anything else as one space, at
 * most 200 characters, and never a credential the console sent with the request. A receiver, or a
 * proxy in front of it, may echo the request's headers back in an error page; the credentials are
 * cut out (whole, and each part of a header value such as "Bearer <token>") before the excerpt is
 * shortened, so a credential on the cut cannot leave a prefix behind. Only the literal form is
 * recognised: a receiver that re-encodes what it echoes is beyond what an excerpt can know.
 */
export const REPLY_EXCERPT_LIMIT = 200;
export const REDACTED = "[redacted]";

/** Parts shorter than this are not secrets worth cutting (a scheme name, a tenant number). */
const MIN_SECRET_LENGTH = 8;

export function replyExcerpt(text: string, sentCredentials: readonly string[]): string {
  const secrets = sentCredentials
    .flatMap((value) => [value, ...value.split(/\s+/)])
    .map((value) => value.trim())
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    // Longest first, so a whole header value goes before the token inside it.
    .sort((a, b) => b.length - a.length);
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join(REDACTED);
  return redacted
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim()
    .slice(0, REPLY_EXCERPT_LIMIT);
}
