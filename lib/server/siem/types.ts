/**
 * What every sink module takes and answers. A batch is a run of consecutive positions, already
 * formatted one line per event.
 */
import type { AuditEvent } from "@/generated/prisma/client";

export type FormattedBatch = {
  sink: string;
  events: AuditEvent[];
  /** One line per event, in position order, without line breaks. */
  lines: string[];
  first: bigint;
  last: bigint;
};

/** Acknowledged, or why not; `permanent` when sending the same batch again cannot succeed. */
export type SendResult = { ok: true } | { ok: false; permanent: boolean; error: string };

/** An error's message for lastError and dead letters: short, one line, and never a secret. */
export function errorText(error: unknown): string {
  const main = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string }) : null;
  const detail = cause ? (cause.code ?? cause.message ?? "") : "";
  return `${main}${detail && !main.includes(detail) ? ` (${detail})` : ""}`
    .replace(/\s+/g, " ")
    .slice(0, 500);
}
