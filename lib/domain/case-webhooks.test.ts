import { describe, expect, it } from "vitest";
import {
  caseWebhookEvent,
  caseWebhookPayload,
  decideResend,
  signingSecrets,
  WEBHOOK_SECRET_OVERLAP_MS,
  webhookEndpointInput,
} from "./case-webhooks";

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

describe("signing secrets while a rotated one overlaps (decision 035, amended)", () => {
  const now = new Date("2026-11-25T10:00:00Z");
  const later = new Date(now.getTime() + WEBHOOK_SECRET_OVERLAP_MS);

  it("signs with the new secret and the old one until its overlap ends, then the new one alone", () => {
    const rotated = { secret: "new", previousSecret: "old", previousSecretUntil: later };
    expect(signingSecrets(rotated, now)).toEqual(["new", "old"]);
    expect(signingSecrets(rotated, new Date(later.getTime() - 1))).toEqual(["new", "old"]);
    expect(signingSecrets(rotated, later)).toEqual(["new"]);
    expect(
      signingSecrets({ secret: "new", previousSecret: null, previousSecretUntil: null }, now),
    ).toEqual(["new"]);
    // A leftover secret without an end (never written so) is not used.
    expect(
      signingSecrets({ secret: "new", previousSecret: "old", previousSecretUntil: null }, now),
    ).toEqual(["new"]);
    expect(WEBHOOK_SECRET_OVERLAP_MS).toBe(24 * 60 * 60_000);
  });
});

describe("sending an event given up on again", () => {
  const given = { gaveUp: true, resendRequestedAt: null, resentAt: null };

  it("allows it once per attempt given up on, on an enabled endpoint", () => {
    expect(decideResend({ delivery: given, endpointEnabled: true })).toEqual({ ok: true });
  });

  it("refuses what cannot be sent again, each with its reason", () => {
    const at = new Date();
    const refusal = (input: Parameters<typeof decideResend>[0]) => {
      const decision = decideResend(input);
      return decision.ok ? null : decision.code;
    };
    expect(refusal({ delivery: null, endpointEnabled: true })).toBe("NOT_FOUND");
    expect(refusal({ delivery: given, endpointEnabled: false })).toBe("CONFLICT");
    // Delivered, or failed and still being retried by the cursor.
    expect(refusal({ delivery: { ...given, gaveUp: false }, endpointEnabled: true })).toBe(
      "CONFLICT",
    );
    expect(refusal({ delivery: { ...given, resendRequestedAt: at }, endpointEnabled: true })).toBe(
      "CONFLICT",
    );
    expect(
      refusal({
        delivery: { ...given, resendRequestedAt: at, resentAt: at },
        endpointEnabled: true,
      }),
    ).toBe("CONFLICT");
  });
});
