"use server";

import { staffAction } from "@/lib/auth/actions";
import { formatDateTime } from "@/components/status-badge";
import {
  addWebhookEndpoint,
  disableWebhookEndpoint,
  requestWebhookResend,
  rotateWebhookSecret,
} from "@/lib/server/webhooks/manage";
import {
  AddWebhookSchema,
  DisableWebhookSchema,
  ResendWebhookSchema,
  RotateWebhookSchema,
} from "./schema";

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

export const rotateWebhookSecretAction = staffAction(
  "webhooks:manage",
  RotateWebhookSchema,
  async ({ actor, input, request }) => {
    const { secret, overlapUntil } = await rotateWebhookSecret({
      actor,
      endpointId: input.endpointId,
      overlap: input.overlap === "on",
      request,
    });
    const old = overlapUntil
      ? `The old secret keeps signing beside it until ${formatDateTime(overlapUntil)}.`
      : "The old secret signs nothing from now on.";
    // Shown this once, like a new endpoint's.
    return `Rotated. ${old} The new signing secret, shown only now (copy it into the ITSM): ${secret}`;
  },
  // Whoever holds the secret can post as the console to the ITSM: step-up, as for adding one.
  {
    path: "/settings/webhooks",
    stepUp: "rotate a webhook secret",
    revalidate: ["/settings/webhooks"],
  },
);

export const resendWebhookAction = staffAction(
  "webhooks:manage",
  ResendWebhookSchema,
  async ({ actor, input, request }) => {
    await requestWebhookResend({ actor, deliveryId: input.deliveryId, request });
    return "Asked. It is sent again on the next delivery to this endpoint: within seconds, or when its wait between retries is over.";
  },
  { path: "/settings/webhooks", revalidate: ["/settings/webhooks"] },
);
