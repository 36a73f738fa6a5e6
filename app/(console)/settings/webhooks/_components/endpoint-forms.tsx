"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import {
  addWebhookAction,
  disableWebhookAction,
  resendWebhookAction,
  rotateWebhookSecretAction,
} from "../actions";

/** A new endpoint: a name and the receiver's address. Its secret is shown once, in the answer. */
export function AddEndpointForm() {
  return (
    <ActionForm action={addWebhookAction} label="Add an endpoint" className="space-y-2">
      {(pending) => (
        <>
          <label htmlFor="webhook-name" className="block text-xs font-medium text-slate-700">
            Name
          </label>
          <input
            id="webhook-name"
            name="name"
            maxLength={80}
            className="w-full rounded-md border border-slate-500 px-3 py-2 text-sm"
          />
          <label htmlFor="webhook-url" className="block text-xs font-medium text-slate-700">
            Receiver address (https://)
          </label>
          <input
            id="webhook-url"
            name="url"
            type="url"
            maxLength={500}
            className="w-full rounded-md border border-slate-500 px-3 py-2 text-sm"
          />
          <Button type="submit" disabled={pending}>
            Add endpoint
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function DisableEndpointForm({ endpointId, name }: { endpointId: string; name: string }) {
  return (
    <ActionForm action={disableWebhookAction} label={`Disable ${name}`}>
      {(pending) => (
        <>
          <input type="hidden" name="endpointId" value={endpointId} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Disable
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/**
 * A new signing secret, shown once in the answer. The old one keeps signing beside it for a day
 * unless the reviewer unticks the box (it leaked): then it stops at once.
 */
export function RotateSecretForm({ endpointId, name }: { endpointId: string; name: string }) {
  const box = `rotate-overlap-${endpointId}`;
  return (
    <ActionForm
      action={rotateWebhookSecretAction}
      label={`Rotate the secret of ${name}`}
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="endpointId" value={endpointId} />
          <div className="flex items-start gap-2">
            <input id={box} name="overlap" type="checkbox" defaultChecked className="mt-1" />
            <label htmlFor={box} className="text-xs text-slate-700">
              Keep the old secret signing beside the new one for a day, so the ITSM can switch over
              without refusing a request. Untick it if the old secret leaked.
            </label>
          </div>
          <Button type="submit" variant="secondary" disabled={pending}>
            Rotate secret
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** One more try of an event given up on, once the receiver is fixed. */
export function ResendForm({ deliveryId, what }: { deliveryId: string; what: string }) {
  return (
    <ActionForm action={resendWebhookAction} label={`Send ${what} again`}>
      {(pending) => (
        <>
          <input type="hidden" name="deliveryId" value={deliveryId} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Send again
          </Button>
        </>
      )}
    </ActionForm>
  );
}
