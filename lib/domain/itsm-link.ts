/**
 * An ITSM's link into the console (docs/decisions/035): /cases/new?ticket=…&employee=… opens the
 * person's page with the ticket prefilled in the open-case form. Parsed here, at the boundary.
 */
import { z } from "zod";
import { parseTicketReference } from "./ticket-reference";

const one = (value: unknown) => (Array.isArray(value) ? value[0] : value);

export const ItsmLinkSchema = z.object({
  employee: z.preprocess(
    one,
    z
      .string({ message: "The link names no employee (employee=…)." })
      .trim()
      .min(1, "The link names no employee (employee=…).")
      .max(40, "That is not an employee ID."),
  ),
  ticket: z.preprocess(
    one,
    z
      .string({ message: "The link carries no ticket (ticket=…)." })
      .max(40, "That is not a ticket reference.")
      .transform((value, ctx) => {
        const parsed = parseTicketReference(value);
        if (parsed.ok) return parsed.value;
        ctx.addIssue({ code: "custom", message: parsed.message });
        return z.NEVER;
      }),
  ),
});

export type ItsmLink = z.output<typeof ItsmLinkSchema>;

/** The link's employee and normalised ticket, or every reason it is not usable. */
export function parseItsmLink(
  query: Record<string, unknown>,
): { ok: true; value: ItsmLink } | { ok: false; problems: string[] } {
  const parsed = ItsmLinkSchema.safeParse(query);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: parsed.error.issues.map((issue) => issue.message) };
}
