"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { decideAction } from "../actions";

/**
 * Approve or deny one request. Once it has lapsed (`lapsedAt`, when), the same form stays in
 * place without its buttons and says so: a supervisor whose click came too late keeps the
 * server's answer on screen, and nobody is offered a decision the server would refuse.
 */
export function DecideForm({
  approvalId,
  userName,
  lapsedAt,
  cannotApprove,
}: {
  approvalId: string;
  userName: string;
  lapsedAt: string | null;
  /** Why this supervisor may deny but not approve (the certification gate, decision 032). */
  cannotApprove?: string;
}) {
  return (
    <ActionForm
      action={decideAction}
      label={`Decide re-enrolment for ${userName}`}
      className="space-y-2"
    >
      {(pending) =>
        lapsedAt ? (
          <p className="text-sm text-slate-700">
            <span className="font-medium">Lapsed unanswered at {lapsedAt}.</span> It can no longer
            be approved or denied; the agent can ask again from the case.
          </p>
        ) : (
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
            {cannotApprove ? (
              <p role="note" className="text-sm text-amber-900">
                {cannotApprove} You can still deny it.
              </p>
            ) : null}
            <div className="flex gap-2">
              {cannotApprove ? null : (
                <Button type="submit" name="decision" value="approve" disabled={pending}>
                  Approve
                </Button>
              )}
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
        )
      }
    </ActionForm>
  );
}
