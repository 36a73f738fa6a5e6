"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { reviewSignalAction } from "../actions";

/** Confirm a signal (its effect stays on its cases) or dismiss it (its effect lifts), with a note. */
export function ReviewSignalForm({ signalId }: { signalId: string }) {
  return (
    <ActionForm action={reviewSignalAction} label="Review this signal" className="mt-2 space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="signalId" value={signalId} />
          <p className="text-sm text-slate-600">
            Confirming keeps its effect on the cases it names. Dismissing lifts it: the cases are
            judged without it (what was voided stays voided).
          </p>
          <label htmlFor="review-note" className="block text-xs font-medium text-slate-700">
            Note for the trail
          </label>
          <textarea
            id="review-note"
            name="note"
            rows={2}
            maxLength={500}
            className="w-full rounded-md border border-slate-500 px-3 py-2 text-sm"
          />
          <div className="flex gap-2">
            <Button type="submit" name="decision" value="confirmed" disabled={pending}>
              Confirm
            </Button>
            <Button
              type="submit"
              name="decision"
              value="dismissed"
              variant="secondary"
              disabled={pending}
            >
              Dismiss
            </Button>
          </div>
        </>
      )}
    </ActionForm>
  );
}
