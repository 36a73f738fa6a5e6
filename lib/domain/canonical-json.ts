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
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + canonicalJson(value[i]);
    return out + "]";
  }
  // Written as loops (no filter/map/join) because the verifiers run it over every event: the
  // same text as `entries.filter(defined).sort(byKey).map(…).join(",")`.
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort(byCodeUnit);
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(member);
    first = false;
  }
  return out + "}";
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A canonical JSON writer for objects whose keys are always the same, known in advance: the
 * keys are sorted once, and each value is written by canonicalJson. `write(record)` is
 * `canonicalJson(record)` for a record that has exactly those keys (an `undefined` value is
 * written as null, as the audit entry's absent fields are): the audit verifiers rebuild an
 * entry per row with it, without sorting its keys each time.
 */
export function fixedKeyWriter<K extends string>(keys: readonly K[]) {
  const sorted = [...keys].sort(byCodeUnit);
  const prefixes = sorted.map((key, i) => (i === 0 ? "{" : ",") + JSON.stringify(key) + ":");
  return (record: Readonly<Record<K, unknown>>): string => {
    let out = "";
    for (let i = 0; i < sorted.length; i++)
      out += prefixes[i]! + canonicalJson(record[sorted[i]!] ?? null);
    return sorted.length === 0 ? "{}" : out + "}";
  };
}
