import { describe, expect, it } from "vitest";
import { FORM_CHANGED } from "@/lib/action-state";
import { AddWebhookSchema, DisableWebhookSchema } from "./schema";

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
});
