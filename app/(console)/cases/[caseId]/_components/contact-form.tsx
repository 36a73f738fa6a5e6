"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { recordContactAction } from "../actions";

/** A number or address the caller offered during the call: recorded, never used to reach anyone. */
export function RecordContactForm({ caseId }: { caseId: string }) {
  return (
    <ActionForm
      action={recordContactAction}
      label="Record a number or address"
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="offered-value" className="block text-xs font-medium text-slate-700">
            Number or address the caller offered
          </label>
          <input
            id="offered-value"
            name="value"
            autoComplete="off"
            maxLength={320}
            aria-describedby="offered-note"
            className="w-full rounded-md border border-slate-500 px-3 py-2 text-sm"
          />
          <p id="offered-note" className="text-xs text-slate-600">
            Never used to contact anyone: only what is on record is. Kept so that one number or
            address coming up for several people is noticed.
          </p>
          <Button type="submit" variant="secondary" disabled={pending}>
            Record it
          </Button>
        </>
      )}
    </ActionForm>
  );
}
