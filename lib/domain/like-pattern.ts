/**
 * Patterns for LIKE and ILIKE with their wildcards (% and _) and the escape character taken
 * literally: the directory and the audit trail's actor search match what was typed, nothing more.
 *
 * NOTE: not marked "server-only": the benchmark builds the same queries.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The text anywhere. */
export function likeContains(text: string): string {
  return `%${escapeLike(text)}%`;
}

/** Text starting with this. */
export function likeStarts(text: string): string {
  return `${escapeLike(text)}%`;
}

/** Exactly this text (with ILIKE: in any case). */
export function likeExactly(text: string): string {
  return escapeLike(text);
}
