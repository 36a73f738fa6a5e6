import { describe, expect, it } from "vitest";
import { looksLikeTicket, parseTicketReference } from "./ticket-reference";

describe("ticket references", () => {
  it.each([
    ["INC0012345", "INC0012345", "ServiceNow"],
    [" inc0012345 ", "INC0012345", "ServiceNow"],
    ["RITM0001234", "RITM0001234", "ServiceNow"],
    ["HD-123", "HD-123", "Jira"],
    ["hd-123", "HD-123", "Jira"],
    ["SD_OPS-9", "SD_OPS-9", "Jira"],
    ["#12345", "#12345", "Zendesk"],
    ["# 12345", "#12345", "Zendesk"],
    ["12345", "#12345", "Zendesk"],
  ])("reads %j as %s (%s)", (input, value, system) => {
    expect(parseTicketReference(input)).toEqual({ ok: true, value, system });
  });

  it.each([
    "",
    "   ",
    "INC12",
    "HD-0",
    "HD-",
    "-123",
    "#0",
    "#",
    "hello world",
    "INC0012345; DROP",
    "1-2",
  ])("refuses %j with the formats it accepts", (input) => {
    const parsed = parseTicketReference(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/ticket/i);
  });

  it("tells a ticket from a name", () => {
    expect(looksLikeTicket("INC0012345")).toBe(true);
    expect(looksLikeTicket("Ada Okafor")).toBe(false);
  });
});
