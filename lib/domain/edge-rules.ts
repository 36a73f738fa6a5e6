/**
 * What the server's edge (scripts/lib/edge.ts) refuses before Next.js sees a request
 * (docs/decisions/014-the-edge.md, docs/security-requirements.md G4, G9): decisions only, as pure
 * functions; the HTTP plumbing lives in the edge.
 *
 * Server actions are decoded by Next.js and React before any code of ours runs, and both answer
 * malformed input with a 500 (or, for a foreign Origin, "Invalid Server Actions request" with a
 * 500). So the edge checks what they would choke on and answers 403 or 400 itself:
 * - a possible server action from anywhere but the console's own pages (403);
 * - a body that does not parse as its content type, or that uses parts of React's reply format
 *   the console's pages never send (400);
 * - a form posted without JavaScript whose action fields (`$ACTION_…`) Next could not decode
 *   (400);
 * - a path that is not valid percent-encoding, which Next answers with a 500 (400);
 * - a body over BODY_LIMIT_BYTES (413).
 */

/**
 * The largest request body the console accepts, in bytes. next.config.ts gives Next's own server
 * actions limit (`experimental.serverActions.bodySizeLimit`) this same value, so the edge and
 * Next agree (Next refuses only above it too).
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The headers the edge reads, lower-case, as Node gives them (repeated headers joined). */
export type EdgeHeaders = Record<string, string | undefined>;

/**
 * How Next would treat the request (its getServerActionRequestMetadata): "fetch" for a POST with a
 * Next-Action header (an action called by the page's script), "form" for a multipart POST without
 * one (a form posted without JavaScript, whose action is named in its fields), null otherwise.
 * (A urlencoded POST is not decoded as an action by Next: it renders the page, or is a route
 * handler's, which checks its own Origin.)
 */
export function serverActionKind(method: string, headers: EdgeHeaders): "fetch" | "form" | null {
  if (method !== "POST") return null;
  if (headers["next-action"] !== undefined) return "fetch";
  // Next takes any Content-Type that *starts* with multipart/form-data for a form action
  // (multipart/form-data-x included, which its parser then throws on): so does the edge.
  if ((headers["content-type"] ?? "").trim().toLowerCase().startsWith("multipart/form-data"))
    return "form";
  return null;
}

export const FOREIGN_REQUEST =
  "This request did not come from the console's own pages, so nothing was done. Reload the page and try again.";

/**
 * A request that changes something must come from the console's own pages: its Origin is the
 * console's public URL (NEXTAUTH_URL), and the browser does not say it is cross-site. A missing
 * Origin is refused too: every browser sends one with a POST. Host and X-Forwarded-Host play no
 * part. Returns the refusal, or null.
 */
export function crossSiteRefusal(input: {
  origin: string | undefined | null;
  secFetchSite: string | undefined | null;
  publicOrigin: string;
}): string | null {
  if (input.secFetchSite === "cross-site") return FOREIGN_REQUEST;
  return input.origin && input.origin === input.publicOrigin ? null : FOREIGN_REQUEST;
}

/**
 * The same rule for route handlers, which Next runs without its server action checks
 * (docs/security-requirements.md G4): a cross-site request is refused, except a top-level GET
 * navigation where the handler allows one (the identity provider's redirect back to next-auth's
 * callback is cross-site by design); anything but GET, HEAD and OPTIONS must carry the console's
 * Origin. Returns the refusal, or null.
 */
export function routeRefusal(input: {
  method: string;
  origin: string | undefined | null;
  secFetchSite: string | undefined | null;
  secFetchMode: string | undefined | null;
  publicOrigin: string;
  crossSiteNavigation?: boolean;
  /**
   * A bearer-token API (SCIM, docs/decisions/033): its callers are servers, which send no Origin,
   * and a browser cannot attach the token by itself, so a request without Origin may write; one
   * from a browser page (any Origin but the console's, or cross-site) is still refused.
   */
  bearerApi?: boolean;
}): string | null {
  const safe = input.method === "GET" || input.method === "HEAD" || input.method === "OPTIONS";
  if (input.bearerApi)
    return input.secFetchSite === "cross-site" ||
      (input.origin && input.origin !== input.publicOrigin)
      ? FOREIGN_REQUEST
      : null;
  if (input.secFetchSite === "cross-site") {
    const navigation = input.method === "GET" && input.secFetchMode === "navigate";
    return navigation && input.crossSiteNavigation ? null : FOREIGN_REQUEST;
  }
  return safe ? null : crossSiteRefusal(input);
}

/**
 * A JSON request body a route handler may hand on (next-auth reads a JSON body with
 * `request.json()` and answers a 500 when it does not parse, or is not an object): null when it
 * is a JSON object, else the problem.
 */
export function jsonObjectProblem(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? null
      : MALFORMED_BODY;
  } catch {
    return MALFORMED_BODY;
  }
}

/**
 * The longest request target (path and query) the console accepts. Its own addresses are far
 * shorter (the longest, a sign-in callback, is about 2 kB). A longer one is refused with a 414
 * before Next sees it: Next echoes the target in headers (a redirect's Location), and a reply whose
 * headers outgrow what HTTP clients accept (16 kB in Node) would reach no one.
 */
export const URL_LIMIT_BYTES = 8 * 1024;
export const URL_TOO_LONG = "This address is longer than the console accepts, so nothing was done.";

export function targetTooLong(target: string): boolean {
  return Buffer.byteLength(target, "utf8") > URL_LIMIT_BYTES;
}

export const BAD_PATH = "This address is not valid.";

/**
 * The request target's path must be valid percent-encoding (Next decodes route parameters and
 * answers a 500 when it cannot). Returns the problem, or null.
 */
export function pathProblem(target: string): string | null {
  const path = target.split(/[?#]/, 1)[0] ?? "";
  try {
    for (const segment of path.split("/")) decodeURIComponent(segment);
    return null;
  } catch {
    return BAD_PATH;
  }
}

export const TOO_LARGE = `This request is larger than the console accepts (${BODY_LIMIT_BYTES / 1024 / 1024} MB), so nothing was done.`;

/** The declared body length is over the limit (chunked bodies are counted as they arrive). */
export function declaredLengthTooLarge(contentLength: string | undefined, limit: number): boolean {
  if (contentLength === undefined) return false;
  const length = Number(contentLength);
  return !Number.isFinite(length) || length > limit;
}

export const MALFORMED_BODY = "This request's body could not be read, so nothing was done.";
export const UNEXPECTED_REPLY =
  "This request was not sent by the console's pages, so nothing was done. Reload the page and try again.";

/** The media type of a Content-Type header, lower-case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

/** A multipart body's fields in order, files as Blobs; null when the body does not parse. */
export type FormEntries = [name: string, value: string | Blob][];
export type MultipartParser = (
  contentType: string,
  body: Uint8Array,
) => Promise<FormEntries | null>;

/**
 * The Fetch standard's multipart parser (undici's, in Node): the one Next uses for a form posted
 * without JavaScript (`new Request(…).formData()`).
 */
export const parseLikeFetch: MultipartParser = async (contentType, body) => {
  try {
    const form = await new Response(body as BodyInit, {
      headers: { "content-type": contentType },
    }).formData();
    return [...form.entries()];
  } catch {
    return null;
  }
};

/**
 * Whether Next and React can decode a server action's body. Returns the problem, or null.
 *
 * - "form" (no Next-Action header): the form must parse as Next parses it (parseLikeFetch), and
 *   its action fields must decode (formActionProblem).
 * - "fetch", multipart: the form must parse as Next parses it there (with busboy: the edge passes
 *   that parser in, as `parseFetchForm`; the two disagree on details such as a bare LF in a part
 *   header), with the arguments in exactly one field "0" and no other field that React reads as
 *   them (resolvesRoot).
 * - "fetch", anything else: the body is the arguments as UTF-8 JSON.
 * The arguments must be a JSON array that only uses the parts of React's reply format the
 * console's pages send (replyProblem).
 */
export async function actionBodyProblem(input: {
  kind: "fetch" | "form";
  contentType: string | undefined;
  body: Uint8Array;
  parseFetchForm: MultipartParser;
}): Promise<string | null> {
  // Next reads a body as multipart when its Content-Type starts with "multipart/form-data", in
  // lower case: "Multipart/Form-Data" is text to it, and multipart/form-data-x a form its parser
  // throws on. The edge reads the body as Next does, and lets only the exact media type through.
  const multipart = (input.contentType ?? "").startsWith("multipart/form-data");
  if (multipart && mediaType(input.contentType) !== "multipart/form-data") return MALFORMED_BODY;
  if (multipart) {
    const parse = input.kind === "fetch" ? input.parseFetchForm : parseLikeFetch;
    const entries = await parse(input.contentType!, input.body);
    if (!entries) return MALFORMED_BODY;
    if (input.kind === "form") return formActionProblem(entries);
    const root = entries.filter(([name]) => resolvesRoot(name));
    return root.length === 1 && root[0]![0] === "0" && typeof root[0]![1] === "string"
      ? replyProblem(root[0]![1], { multipart: true })
      : UNEXPECTED_REPLY;
  }
  if (input.kind === "form") return null;
  let text: string;
  try {
    // Next decodes with Buffer#toString, which keeps a byte order mark (and JSON.parse fails on it).
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input.body);
  } catch {
    return MALFORMED_BODY;
  }
  return replyProblem(text, { multipart: false });
}

/**
 * Whether React's multipart reply decoder reads a field as the arguments (its part 0). It looks a
 * field's name up as a number, `+name`, or as `+name.slice(1)` after an "S" (a stream's part), so
 * "", "00", " 0", "0x0", "-0" and "S0" all land on part 0 as well as "0": it JSON-parses the first
 * and fails on any second one. The console's pages send exactly one, named "0".
 */
export function resolvesRoot(name: string): boolean {
  const id = name.startsWith("S") && name.length > 1 ? name.slice(1) : name;
  return Number(id) === 0;
}

/**
 * A form posted without JavaScript names its action in hidden fields React renders for it:
 * `$ACTION_ID_<id>` (an action with no bound arguments: Next checks the ID itself), or
 * `$ACTION_REF_<n>` with `$ACTION_<n>:0` = `{"id":"<id>","bound":"$@<k>"|null}` and the bound
 * arguments, a JSON array, in `$ACTION_<n>:<k>` (a form with useActionState: `[previousState]`).
 * Next checks only that the descriptor starts with a known ID, then React decodes the rest, and
 * fails with a 500 on a descriptor that does not parse, names another ID further on, or binds
 * something missing or not an array. Returns the problem, or null.
 */
export function formActionProblem(entries: FormEntries): string | null {
  const field = (name: string) => entries.filter(([key]) => key === name).map(([, v]) => v);
  for (const [name] of entries) {
    if (!name.startsWith("$ACTION_REF_")) continue;
    const prefix = `$ACTION_${name.slice("$ACTION_REF_".length)}:`;
    const descriptor = field(`${prefix}0`);
    if (descriptor.length !== 1 || typeof descriptor[0] !== "string") return UNEXPECTED_REPLY;
    let meta: unknown;
    try {
      meta = JSON.parse(descriptor[0]);
    } catch {
      return MALFORMED_BODY;
    }
    if (meta === null || typeof meta !== "object" || Array.isArray(meta)) return UNEXPECTED_REPLY;
    // React decodes the whole descriptor (another key can be any reference, or nest past the
    // stack), and with $ACTION_KEY reads bound.length: exactly the two keys React writes.
    const keys = Object.keys(meta);
    if (keys.length !== 2 || !keys.includes("id") || !keys.includes("bound"))
      return UNEXPECTED_REPLY;
    const { id, bound } = meta as { id?: unknown; bound?: unknown };
    // The ID Next checks is the one at the start of the text; it must be the one React reads.
    if (typeof id !== "string" || !/^[0-9a-f]{1,64}$/i.test(id)) return UNEXPECTED_REPLY;
    if (!descriptor[0].startsWith(`{"id":"${id}"`)) return UNEXPECTED_REPLY;
    if (bound === null) continue;
    if (typeof bound !== "string" || !/^\$@[0-9a-f]{1,8}$/.test(bound)) return UNEXPECTED_REPLY;
    const args = field(`${prefix}${parseInt(bound.slice(2), 16)}`);
    if (args.length !== 1 || typeof args[0] !== "string") return UNEXPECTED_REPLY;
    const problem = replyProblem(args[0], { multipart: false });
    if (problem) return problem;
  }
  return null;
}

/** How deep the arguments may nest: the console's deepest is a WebAuthn response (4 levels). */
const MAX_DEPTH = 32;

/** Next refuses a call with more arguments than this, and React a form binding more. */
export const MAX_ARGUMENTS = 1000;

/**
 * React counts, under each array of the arguments, its slots and the characters of its strings,
 * and fails past a million. The edge counts them over the whole value (never less than React
 * counts under any one array).
 */
export const MAX_REPLY_SIZE = 1_000_000;

/**
 * React's reply format is JSON in which strings starting with "$" are references: to other parts
 * of a multipart body, to promises, Maps, Sets, blobs, streams, other server functions and
 * "temporary references" to client objects. A reference to a part that is missing leaves React
 * waiting for it and then failing, and a temporary reference throws when read. The console's
 * pages send plain values: forms (`$K<id>`, the form's fields, in multipart bodies) and JSON with
 * the escapes for "$" itself, undefined, dates, big integers and special numbers. Anything else is
 * refused, as is a `__proto__` key, arguments that are not an array, and nesting deeper than
 * MAX_DEPTH (React revives the value recursively).
 */
export function replyProblem(text: string, options: { multipart: boolean }): string | null {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return MALFORMED_BODY;
  }
  if (!Array.isArray(root) || root.length > MAX_ARGUMENTS) return UNEXPECTED_REPLY;
  const stack: [unknown, number][] = [[root, 0]];
  let size = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === "string") {
      size += value.length;
      if (value.startsWith("$") && !plainReplyString(value, options.multipart))
        return UNEXPECTED_REPLY;
    } else if (value !== null && typeof value === "object") {
      if (depth >= MAX_DEPTH) return UNEXPECTED_REPLY;
      if (Array.isArray(value)) size += value.length + 1;
      else if (Object.hasOwn(value, "__proto__")) return UNEXPECTED_REPLY;
      for (const child of Object.values(value)) stack.push([child, depth + 1]);
    }
    if (size > MAX_REPLY_SIZE) return UNEXPECTED_REPLY;
  }
  return null;
}

/** The "$" strings React decodes to plain values (or, in a multipart body, to the form sent with it). */
function plainReplyString(value: string, multipart: boolean): boolean {
  switch (value[1]) {
    case "$": // an escaped "$"
    case "u": // undefined
    case "I": // Infinity
    case "N": // NaN
    case "-": // -0, -Infinity
    case "D": // a date (an invalid one is an Invalid Date, not an error)
      return true;
    case "n": // a bigint: React refuses more than 300 characters (a sign counts), and BigInt() anything but digits
      return /^\$n-?\d+$/.test(value) && value.length - 2 <= 300;
    case "K": // a FormData of the fields prefixed "_<id>_" (an absent one is an empty form)
      return multipart && /^\$K[0-9a-f]{1,8}$/.test(value);
    default:
      return false;
  }
}
