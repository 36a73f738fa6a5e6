"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { issueReceiverAction, revokeReceiverAction } from "../actions";

/** Issue a Shared Signals receiver its bearer token (shown once). */
export function IssueReceiverForm() {
  return (
    <ActionForm action={issueReceiverAction} label="Issue a receiver token" className="space-y-2">
      {(pending) => (
        <>
          <label htmlFor="receiver-name" className="block text-xs font-medium text-slate-700">
            Receiver (the application that subscribes)
          </label>
          <input
            id="receiver-name"
            name="name"
            maxLength={100}
            className="w-full max-w-md rounded-md border border-slate-500 px-3 py-2 text-sm"
          />
          <Button type="submit" disabled={pending}>
            Issue token
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function RevokeReceiverForm({ receiverId, name }: { receiverId: string; name: string }) {
  return (
    <ActionForm action={revokeReceiverAction} label={`Revoke ${name}`}>
      {(pending) => (
        <>
          <input type="hidden" name="receiverId" value={receiverId} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Revoke
          </Button>
        </>
      )}
    </ActionForm>
  );
}
