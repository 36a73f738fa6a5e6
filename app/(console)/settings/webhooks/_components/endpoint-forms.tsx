"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { addWebhookAction, disableWebhookAction } from "../actions";

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
