import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { webhookEndpointInput } from "@/lib/domain/case-webhooks";

export const AddWebhookSchema = z.strictObject(webhookEndpointInput.shape, UNEXPECTED_FIELDS);

export const DisableWebhookSchema = z.strictObject(
  { endpointId: z.uuid({ message: "That is not an endpoint." }) },
  UNEXPECTED_FIELDS,
);

export const RotateWebhookSchema = z.strictObject(
  {
    endpointId: z.uuid({ message: "That is not an endpoint." }),
    /** "Keep the old secret signing for a day": ticked unless the old one leaked. */
    overlap: z.literal("on").optional(),
  },
  UNEXPECTED_FIELDS,
);

export const ResendWebhookSchema = z.strictObject(
  { deliveryId: z.uuid({ message: "That is not a delivery." }) },
  UNEXPECTED_FIELDS,
);
