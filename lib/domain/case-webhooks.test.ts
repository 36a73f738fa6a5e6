import { describe, expect, it } from "vitest";
import { caseWebhookEvent, caseWebhookPayload, webhookEndpointInput } from "./case-webhooks";

const row = (
  action: string,
  data: object = {},
  outcome = "ALLOWED",
  caseId: string | null = "c1",
) => ({
  action,
  outcome,
  caseId,
  data,
});

describe("case webhook events", () => {
  it("names the case events among audited decisions", () => {
    expect(caseWebhookEvent(row("case.opened"))).toBe("case.opened");
    expect(caseWebhookEvent(row("step.recorded", { complete: true }))).toBe("case.verified");
    expect(caseWebhookEvent(row("step.answered", { complete: true }))).toBe("case.verified");
    expect(caseWebhookEvent(row("step.recorded", { complete: false }))).toBeNull();
    expect(caseWebhookEvent(row("tap.issued"))).toBe("tap.issued");
    expect(caseWebhookEvent(row("reenrolment.requested", { needsApproval: true }))).toBe(
      "approval.requested",
    );
    expect(caseWebhookEvent(row("reenrolment.requested", { needsApproval: false }))).toBeNull();
    expect(caseWebhookEvent(row("approval.approved"))).toBe("approval.approved");
    expect(caseWebhookEvent(row("approval.denied"))).toBe("approval.denied");
    expect(caseWebhookEvent(row("passkey.revoked"))).toBe("passkeys.revoked");
    expect(caseWebhookEvent(row("case.closed"))).toBe("case.closed");
  });

  it("never sends refusals, events without a case, other actions, or practice", () => {
    expect(caseWebhookEvent(row("case.opened", {}, "REFUSED"))).toBeNull();
    expect(caseWebhookEvent(row("passkey.revoked", {}, "ALLOWED", null))).toBeNull();
    expect(caseWebhookEvent(row("case.note_added"))).toBeNull();
    expect(caseWebhookEvent(row("practice.case_opened"))).toBeNull();
    expect(caseWebhookEvent(row("practice.opened"))).toBeNull();
  });

  it("carries the case, its ticket, the employee ID and a link, nothing else", () => {
    expect(
      caseWebhookPayload({
        eventId: "e1",
        type: "case.opened",
        occurredAt: new Date("2026-11-24T10:00:00Z"),
        caseId: "c1",
        ticketRef: "INC0012345",
        employeeId: "E100",
        baseUrl: "https://console.example/",
      }),
    ).toEqual({
      id: "e1",
      type: "case.opened",
      occurredAt: "2026-11-24T10:00:00.000Z",
      caseId: "c1",
      ticketRef: "INC0012345",
      employeeId: "E100",
      link: "https://console.example/cases/c1",
    });
  });

  it("takes an https endpoint, or http on this host only", () => {
    const ok = (url: string) => webhookEndpointInput.safeParse({ name: "Desk", url }).success;
    expect(ok("https://itsm.example/hook")).toBe(true);
    expect(ok("http://127.0.0.1:8080/hook")).toBe(true);
    expect(ok("http://itsm.example/hook")).toBe(false);
    expect(ok("ftp://itsm.example")).toBe(false);
    expect(webhookEndpointInput.safeParse({ name: " ", url: "https://a.example" }).success).toBe(
      false,
    );
  });
});
