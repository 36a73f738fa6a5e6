import { describe, expect, it } from "vitest";
import { CSV_HEADER, toCsvLine, toJsonLine, type ExportedEvent } from "./audit-export";

const event: ExportedEvent = {
  id: "42",
  createdAt: "2026-11-22T12:00:00.000Z",
  action: "access.denied",
  outcome: "REFUSED",
  reason: "FORBIDDEN",
  actorType: "STAFF",
  actorId: null,
  actorName: '=HYPERLINK("http://evil")',
  actorRole: "AGENT",
  targetType: null,
  targetId: null,
  subjectUserId: null,
  caseId: null,
  requestId: "r",
  ip: null,
  data: { path: "/audit", note: 'a "quote"' },
  prevHash: "0".repeat(64),
  hash: "f".repeat(64),
};

describe("audit export formats", () => {
  it("JSON Lines keeps every field, chain fields included, one event a line", () => {
    const line = toJsonLine(event);
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toEqual(event);
  });

  it("CSV quotes every cell, escapes quotes and neutralises formulas", () => {
    expect(CSV_HEADER.startsWith('"id","createdAt","action"')).toBe(true);
    const line = toCsvLine(event);
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(line).toContain(`"{""path"":""/audit"",""note"":""a \\""quote\\""""}"`);
    expect(line.endsWith("\r\n")).toBe(true);
  });
});
