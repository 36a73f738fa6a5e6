/**
 * A substring for ILIKE, its wildcards (% and _) and the escape character taken literally: the
 * directory and the audit trail's actor search match what was typed, nothing more.
 *
 * NOTE: not marked "server-only": the benchmark builds the same queries.
 */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
