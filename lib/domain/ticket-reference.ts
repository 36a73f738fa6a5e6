/**
 * Ticket references: the desk's own record of the call, in the formats help desks use. Parsed
 * and normalised here so that a search finds "inc0012345", "INC0012345" and " INC0012345 " alike.
 */
export type TicketSystem = "ServiceNow" | "Jira" | "Zendesk";

/** ServiceNow numbers: a record prefix and seven or more digits (INC0012345, RITM0001234…). */
const SERVICENOW = /^(INC|RITM|REQ|SCTASK|TASK|CHG|PRB|CS)(\d{7,10})$/;
/** Jira issue keys: a project key (a letter, then letters, digits or _) and a number (HD-123). */
const JIRA = /^([A-Z][A-Z0-9_]{1,9})-([1-9]\d{0,8})$/;
/** Zendesk ticket ids: "#" and a number (#12345). */
const ZENDESK = /^#([1-9]\d{0,11})$/;

export const TICKET_FORMATS_HINT =
  "Use the desk’s ticket number: ServiceNow INC0012345, Jira HD-123 or Zendesk #12345.";

export type ParsedTicket =
  { ok: true; value: string; system: TicketSystem } | { ok: false; message: string };

/** The normalised reference (upper case, no spaces), or why it is not one. */
export function parseTicketReference(input: string): ParsedTicket {
  const compact = input.trim().replace(/\s+/g, "").toUpperCase();
  if (!compact) return { ok: false, message: "Enter a ticket reference." };
  if (SERVICENOW.test(compact)) return { ok: true, value: compact, system: "ServiceNow" };
  if (ZENDESK.test(compact)) return { ok: true, value: compact, system: "Zendesk" };
  // A bare number is most likely Zendesk's without its "#".
  if (/^[1-9]\d{0,11}$/.test(compact)) return { ok: true, value: `#${compact}`, system: "Zendesk" };
  if (JIRA.test(compact)) return { ok: true, value: compact, system: "Jira" };
  return { ok: false, message: `That is not a ticket reference. ${TICKET_FORMATS_HINT}` };
}

/** Whether a search term looks like a ticket reference (so the queue searches tickets, not names). */
export function looksLikeTicket(term: string): boolean {
  return parseTicketReference(term).ok;
}

/**
 * The ticket an ITSM's link brought (/cases/new?ticket=…, docs/decisions/035), normalised for the
 * open-case form; empty when there is none or it is not a ticket reference.
 */
export function prefilledTicket(raw: unknown): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string" || value.length > 40) return "";
  const parsed = parseTicketReference(value);
  return parsed.ok ? parsed.value : "";
}
