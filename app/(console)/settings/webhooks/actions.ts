"use server";

import { staffAction } from "@/lib/auth/actions";
import { addWebhookEndpoint, disableWebhookEndpoint } from "@/lib/server/webhooks/manage";
import { AddWebhookSchema, DisableWebhookSchema } from "./schema";

export const addWebhookAction = staffAction(
  "webhooks:manage",
  AddWebhookSchema,
  async ({ actor, input, request }) => {
    const { secret } = await addWebhookEndpoint({ actor, ...input, request });
    // Shown this once: the console keeps it sealed and never shows it again.
    return `Added. Its signing secret, shown only now (copy it into the ITSM): ${secret}`;
  },
  // An endpoint receives every case's events from now on (decision 035): step-up.
  {
    path: "/settings/webhooks",
    stepUp: "add a webhook endpoint",
    revalidate: ["/settings/webhooks"],
  },
);

export const disableWebhookAction = staffAction(
  "webhooks:manage",
  DisableWebhookSchema,
  async ({ actor, input, request }) => {
    await disableWebhookEndpoint({ actor, endpointId: input.endpointId, request });
    return "Disabled. Nothing more is sent to it.";
  },
  // Disabling it silently stops the ITSM hearing of cases: step-up too.
  {
    path: "/settings/webhooks",
    stepUp: "disable a webhook endpoint",
    revalidate: ["/settings/webhooks"],
  },
);
