/**
 * Canonical JSON: one text for one content, whatever order the keys were inserted in. The audit
 * chain (format v1, docs/decisions/010-audit-format-versions.md), the signed checkpoints and the
 * approval snapshot hashes are all computed over this text, so its output must never change:
 * `canonical-json.test.ts` pins it with fixed strings.
 *
 * The rules, for a JSON value (what jsonb gives back; see "not JSON" below):
 * - an object becomes `{"key":value,…}` with its keys sorted at every depth by UTF-16 code unit
 *   (JavaScript's `<` on strings, not Unicode code point order and not locale order), no spaces;
 * - object members whose value is `undefined` are dropped, as JSON.stringify drops them;
 * - an array keeps its order: `[a,b,…]`, no spaces;
 * - every other value (string, number, boolean, null) is written by JSON.stringify: strings escape
 *   only `"`, `\`, control characters and lone surrogates, other non-ASCII text is written as is
 *   (the hash then covers its UTF-8 bytes); numbers use JavaScript's shortest round-trip form
 *   (`1e+21`, `0.1`, `-0` as `0`).
 *
 * Not JSON, and so given no stable meaning here: `undefined` at the top or inside an array (it
 * leaves an empty slot, unlike JSON.stringify's `null`), Dates and other class instances (their
 * own enumerable fields only, `toJSON` is ignored), functions, symbols and BigInt. Callers hash
 * JSON data only (validated payloads, rows read back from the database), which holds none of these.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
