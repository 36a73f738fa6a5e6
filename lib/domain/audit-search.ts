/**
 * The reviewer console's query string, parsed at the boundary. Keyset pagination in both
 * directions: `before` is the id of the oldest event on the page the reviewer came from (the next
 * page is older), `after` the id of its newest (the next page is newer). `reads=shown` shows the
 * reads of the trail, which the page hides by default (docs/decisions/026).
 */
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from "./audit-actions";
import { plainText } from "./plain-text";

const ACTIONS = Object.keys(AUDIT_ACTIONS) as [
  keyof typeof AUDIT_ACTIONS,
  ...(keyof typeof AUDIT_ACTIONS)[],
];
/**
 * A calendar day, YYYY-MM-DD, that exists: JavaScript's Date rolls 2026-02-31 over to March 3rd
 * and makes 2026-13-01 an invalid date that the database then refuses, so the day is checked
 * field by field. Years from 2000 to 9999: nothing in the trail is older, and the database and
 * the export's file names need four digits.
 */
export function calendarDayProblem(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return "Dates look like 2026-11-22.";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 2000) return `Pick a date from the year 2000 on, not ${value}.`;
  const date = new Date(Date.UTC(year, month - 1, day));
  const exists =
    month >= 1 &&
    month <= 12 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day;
  return exists ? null : `There is no such date as ${value}.`;
}

/** An event id: a PostgreSQL bigint, so at most 2^63 - 1 (a larger one is refused, not queried). */
const cursor = z
  .string()
  .refine(
    (v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n,
    "Bad page cursor.",
  );

const day = z.string({ error: "Dates look like 2026-11-22." }).superRefine((value, ctx) => {
  const problem = calendarDayProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** The shortest actor search: a trigram index needs three characters to look anything up. */
export const ACTOR_SEARCH_MIN = 3;

export const AuditSearchSchema = z
  .object({
    action: z.enum(ACTIONS, { message: "Unknown action." }).optional(),
    outcome: z.enum(AUDIT_OUTCOMES, { message: "Unknown outcome." }).optional(),
    // A substring of the actor's name, matched on a trigram index: a shorter one has no trigram to
    // look up and would read every event (docs/decisions/022).
    actor: plainText({
      label: "The actor name",
      max: 100,
      tooLong: "Search for at most 100 characters.",
    })
      .optional()
      .transform((v) => v || undefined)
      .refine(
        (v) => v === undefined || [...v].length >= ACTOR_SEARCH_MIN,
        `Search for at least ${ACTOR_SEARCH_MIN} characters of the actor's name.`,
      ),
    userId: z.uuid({ message: "That is not a user ID." }).optional(),
    caseId: z.uuid({ message: "That is not a case ID." }).optional(),
    from: day.optional(),
    to: day.optional(),
    before: cursor.optional(),
    after: cursor.optional(),
    /** Show the reads of the trail (audit.viewed and the like), hidden by default. */
    reads: z.literal("shown", { message: "Unknown view of reads." }).optional(),
    verify: z.literal("1").optional(),
  })
  .refine((search) => !(search.before && search.after), {
    message: "Bad page cursor.",
    path: ["after"],
  });
export type AuditSearch = z.output<typeof AuditSearchSchema>;

/**
 * Whether the page leaves out the reads of the trail: by default, unless the reviewer shows them
 * or picks an action (a read action picked is shown; any other action has no reads to hide).
 */
export function hidesReads(search: Pick<AuditSearch, "reads" | "action">): boolean {
  return search.reads !== "shown" && search.action === undefined;
}

export const AUDIT_ACTION_NAMES = ACTIONS;
