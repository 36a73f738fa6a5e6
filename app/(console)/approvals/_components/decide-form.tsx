"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { decideAction } from "../actions";

export function DecideForm({ approvalId, userName }: { approvalId: string; userName: string }) {
  return (
    <ActionForm
      action={decideAction}
      label={`Decide re-enrolment for ${userName}`}
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="approvalId" value={approvalId} />
          <label
            htmlFor={`reason-${approvalId}`}
            className="block text-xs font-medium text-slate-700"
          >
            Reason for your decision
          </label>
          <textarea
            id={`reason-${approvalId}`}
            name="reason"
            rows={2}
            maxLength={500}
            className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
          <div className="flex gap-2">
            <Button type="submit" name="decision" value="approve" disabled={pending}>
              Approve
            </Button>
            <Button
              type="submit"
              name="decision"
              value="deny"
              variant="secondary"
              disabled={pending}
            >
              Deny
            </Button>
          </div>
        </>
      )}
    </ActionForm>
  );
}
