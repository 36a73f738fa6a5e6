"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { addNoteAction, assignCaseAction, setTicketAction } from "../actions";

const field = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function AssignToMeForm({ caseId, me }: { caseId: string; me: string }) {
  return (
    <ActionForm action={assignCaseAction} label="Assign to me" className="inline-block">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <input type="hidden" name="to" value={me} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Assign to me
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function HandToColleagueForm({
  caseId,
  colleagues,
}: {
  caseId: string;
  colleagues: { id: string; name: string }[];
}) {
  return (
    <ActionForm action={assignCaseAction} label="Hand to a colleague" className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="assign-to" className="block text-xs font-medium text-slate-700">
            Colleague
          </label>
          <select id="assign-to" name="to" className={field} defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            {colleagues.map((colleague) => (
              <option key={colleague.id} value={colleague.id}>
                {colleague.name}
              </option>
            ))}
          </select>
          <label htmlFor="assign-note" className="block text-xs font-medium text-slate-700">
            A word for them (optional)
          </label>
          <input
            id="assign-note"
            name="note"
            maxLength={500}
            className={field}
            placeholder="e.g. waiting for the manager's answer"
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Hand to colleague
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function NoteForm({ caseId }: { caseId: string }) {
  return (
    <ActionForm action={addNoteAction} label="Add a call note" className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="case-note" className="block text-xs font-medium text-slate-700">
            Call note (kept as written: notes cannot be edited or removed)
          </label>
          <textarea id="case-note" name="body" rows={3} maxLength={2000} className={field} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Add note
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function TicketForm({ caseId, current }: { caseId: string; current: string | null }) {
  return (
    <ActionForm action={setTicketAction} label="Ticket reference" className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="case-ticket" className="block text-xs font-medium text-slate-700">
            Ticket (INC0012345, HD-123 or #12345)
          </label>
          <div className="flex flex-wrap gap-2">
            <input
              id="case-ticket"
              name="ticket"
              maxLength={40}
              defaultValue={current ?? ""}
              className={`${field} mt-0 max-w-48`}
              autoComplete="off"
            />
            <Button type="submit" variant="secondary" disabled={pending}>
              {current ? "Change" : "Save"}
            </Button>
          </div>
        </>
      )}
    </ActionForm>
  );
}
