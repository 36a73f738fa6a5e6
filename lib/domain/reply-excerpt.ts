/**
 * What a delivery's status (shown on the reviewer's page, written to the log) may quote of a
 * receiver's answer to a failed delivery: printable ASCII, runs of anything else as one space, at
 * most 200 characters, and never a credential the console sent with the request. A receiver, or a
 * proxy in front of it, may echo the request back in an error page: its headers, or its URL, which
 * for some collectors is itself the credential (a token in the path, a `?code=` in the query:
 * `urlSecrets`). Each credential is cut out before the excerpt is shortened, so one on the cut
 * cannot leave a prefix behind: whole, each part of a header value such as "Bearer <token>", and
 * each of those as JSON escapes it (`\/`) and as a URL encodes it. A receiver that re-encodes what
 * it echoes in some other way (base64, upper case) is beyond what an excerpt can know.
 */
export const REPLY_EXCERPT_LIMIT = 200;
export const REDACTED = "[redacted]";

/** A whole value shorter than this is not worth cutting everywhere it appears ("1", "yes"). */
const MIN_VALUE_LENGTH = 6;
/** A part of a header value shorter than this is not a secret (a scheme name, a tenant number). */
const MIN_PART_LENGTH = 8;
/** A part of a URL shorter than this is a route word, not a token ("v1", "receiver", "events"). */
const MIN_URL_PART_LENGTH = 16;

/** The forms an echo may give a secret: as sent, JSON-escaped with "\/", percent-encoded. */
function echoedForms(secret: string): string[] {
  return [secret, secret.replaceAll("/", "\\/"), encodeURIComponent(secret)];
}

export function replyExcerpt(text: string, sentCredentials: readonly string[]): string {
  const secrets = sentCredentials
    .flatMap((value) => [
      ...(value.trim().length >= MIN_VALUE_LENGTH ? [value.trim()] : []),
      ...value.split(/\s+/).filter((part) => part.length >= MIN_PART_LENGTH),
    ])
    .flatMap(echoedForms)
    // Longest first, so a whole header value goes before the token inside it.
    .sort((a, b) => b.length - a.length);
  let redacted = text;
  for (const secret of new Set(secrets)) redacted = redacted.split(secret).join(REDACTED);
  return redacted
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim()
    .slice(0, REPLY_EXCERPT_LIMIT);
}

/**
 * The parts of a receiver's URL that may be a credential, to pass to replyExcerpt beside the
 * headers: the user name and password, and every path segment and query value long enough to be a
 * token, both as written in the URL and decoded.
 */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const written = [
    parsed.username,
    parsed.password,
    ...parsed.pathname.split("/"),
    ...parsed.search
      .slice(1)
      .split("&")
      .map((pair) => pair.slice(pair.indexOf("=") + 1)),
  ].filter((part) => part.length >= MIN_URL_PART_LENGTH);
  const decoded = written.map((part) => {
    try {
      return decodeURIComponent(part.replaceAll("+", " "));
    } catch {
      return part;
    }
  });
  return [...new Set([...written, ...decoded])];
}
