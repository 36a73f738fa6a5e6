import { describe, expect, it } from "vitest";
import { FORM_CHANGED } from "@/lib/action-state";
import {
  AddWebhookSchema,
  DisableWebhookSchema,
  ResendWebhookSchema,
  RotateWebhookSchema,
} from "./schema";

describe("the webhook settings forms", () => {
  it("take a name and an https address, and nothing else", () => {
    expect(AddWebhookSchema.parse({ name: " Desk ", url: "https://itsm.example/h" })).toEqual({
      name: "Desk",
      url: "https://itsm.example/h",
    });
    expect(AddWebhookSchema.safeParse({ name: "Desk", url: "http://itsm.example/h" }).success).toBe(
      false,
    );
    const extra = AddWebhookSchema.safeParse({
      name: "Desk",
      url: "https://itsm.example/h",
      secret: "mine",
    });
    expect(extra.success).toBe(false);
    expect(extra.error?.issues[0]?.message).toBe(FORM_CHANGED);
  });

  it("disable names an endpoint by its id", () => {
    expect(DisableWebhookSchema.safeParse({ endpointId: "nope" }).success).toBe(false);
  });

  it("rotate names an endpoint and keeps the old secret only when the box is ticked", () => {
    const endpointId = "7b1e2c4d-5f60-4a71-8b92-a3b4c5d6e7f8";
    expect(RotateWebhookSchema.parse({ endpointId, overlap: "on" })).toEqual({
      endpointId,
      overlap: "on",
    });
    expect(RotateWebhookSchema.parse({ endpointId })).toEqual({ endpointId });
    expect(RotateWebhookSchema.safeParse({ endpointId, overlap: "forever" }).success).toBe(false);
    expect(RotateWebhookSchema.safeParse({ endpointId, secret: "mine" }).success).toBe(false);
  });

  it("send again names a delivery by its id", () => {
    expect(ResendWebhookSchema.safeParse({ deliveryId: "1" }).success).toBe(false);
    expect(
      ResendWebhookSchema.safeParse({ deliveryId: "0c4f7a2e-1b3d-4e5f-8a9b-c0d1e2f3a4b5" }).success,
    ).toBe(true);
  });
});
