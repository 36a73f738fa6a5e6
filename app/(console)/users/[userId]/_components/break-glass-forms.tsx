"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import {
  breakGlassAction,
  breakGlassApproveAction,
  breakGlassTestAction,
} from "../break-glass-actions";

const INPUT = "w-full rounded-md border border-slate-500 px-3 py-2 text-sm";

export function BreakGlassForm({ userId, marked }: { userId: string; marked: boolean }) {
  const label = marked ? "Clear the break-glass mark" : "Mark as a break-glass account";
  return (
    <ActionForm action={breakGlassAction} label={label} className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="breakGlass" value={marked ? "clear" : "mark"} />
          <label htmlFor="break-glass-reason" className="block text-xs font-medium text-slate-700">
            Why
          </label>
          <input id="break-glass-reason" name="reason" maxLength={300} className={INPUT} />
          <Button type="submit" variant={marked ? "secondary" : "primary"} disabled={pending}>
            {label}
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function BreakGlassTestForm({ userId }: { userId: string }) {
  return (
    <ActionForm action={breakGlassTestAction} label="Declare a test" className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <label htmlFor="break-glass-minutes" className="block text-xs font-medium text-slate-700">
            Test window (minutes)
          </label>
          <input
            id="break-glass-minutes"
            name="minutes"
            type="number"
            min={1}
            max={240}
            defaultValue={30}
            className={INPUT}
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Declare a test
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function BreakGlassApproveForm({
  userId,
  approvalId,
}: {
  userId: string;
  approvalId: string;
}) {
  const id = `break-glass-approve-${approvalId}`;
  return (
    <ActionForm
      action={breakGlassApproveAction}
      label="Approve as the security reviewer"
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="approvalId" value={approvalId} />
          <label htmlFor={id} className="block text-xs font-medium text-slate-700">
            Why you approve
          </label>
          <input id={id} name="reason" maxLength={500} className={INPUT} />
          <Button type="submit" disabled={pending}>
            Approve as the security reviewer
          </Button>
        </>
      )}
    </ActionForm>
  );
}
