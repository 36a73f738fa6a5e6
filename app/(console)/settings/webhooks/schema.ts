import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { webhookEndpointInput } from "@/lib/domain/case-webhooks";

export const AddWebhookSchema = z.strictObject(webhookEndpointInput.shape, UNEXPECTED_FIELDS);

export const DisableWebhookSchema = z.strictObject(
  { endpointId: z.uuid({ message: "That is not an endpoint." }) },
  UNEXPECTED_FIELDS,
);
