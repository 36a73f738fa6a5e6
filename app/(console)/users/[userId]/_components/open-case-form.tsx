"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { CASE_CHANNELS, CASE_REASON_LABELS, CASE_REASONS } from "@/lib/domain/case-vocabulary";
import { openCaseAction } from "../actions";

const field = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

/**
 * Opening a case. When the person already has open cases, the agent confirms each one they were
 * shown (the server refuses a case opened meanwhile that nobody confirmed).
 */
export function OpenCaseForm({
  userId,
  openCases = [],
  ticket = "",
}: {
  userId: string;
  openCases?: { id: string; label: string }[];
  /** The desk's ticket, prefilled when an ITSM linked here (/cases/new?ticket=…). */
  ticket?: string;
}) {
  return (
    <ActionForm
      action={openCaseAction}
      label="Open a recovery case"
      className="mt-3 grid gap-3 sm:grid-cols-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <div>
            <label htmlFor="reason" className="block text-sm font-medium">
              Why are they calling?
            </label>
            <select id="reason" name="reason" defaultValue="LOST_DEVICE" className={field}>
              {CASE_REASONS.map((reason) => (
                <option key={reason} value={reason}>
                  {CASE_REASON_LABELS[reason]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="channel" className="block text-sm font-medium">
              How did they reach you?
            </label>
            <select id="channel" name="channel" defaultValue="PHONE" className={field}>
              {CASE_CHANNELS.map((channel) => (
                <option key={channel} value={channel}>
                  {channel.charAt(0) + channel.slice(1).toLowerCase().replace("_", "-")}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="ticketRef" className="block text-sm font-medium">
              Ticket (optional)
            </label>
            <input
              id="ticketRef"
              name="ticketRef"
              defaultValue={ticket}
              autoComplete="off"
              maxLength={40}
              placeholder="INC0012345, HD-123 or #12345"
              className={field}
            />
          </div>
          <div className="sm:col-span-2">
            <label htmlFor="callerClaim" className="block text-sm font-medium">
              What the caller says (never trusted as evidence)
            </label>
            <textarea
              id="callerClaim"
              name="callerClaim"
              rows={2}
              maxLength={1000}
              className={field}
            />
          </div>
          <div>
            <label htmlFor="callerId" className="block text-sm font-medium">
              Caller ID (the number the call came from)
            </label>
            <input
              id="callerId"
              name="callerId"
              type="tel"
              autoComplete="off"
              maxLength={40}
              aria-describedby="contacts-note"
              className={field}
            />
          </div>
          <div>
            <label htmlFor="offeredContact" className="block text-sm font-medium">
              Number or address the caller offered
            </label>
            <input
              id="offeredContact"
              name="offeredContact"
              autoComplete="off"
              maxLength={320}
              aria-describedby="contacts-note"
              className={field}
            />
          </div>
          <p id="contacts-note" className="text-xs text-slate-600 sm:col-span-2">
            Optional. Never used to contact anyone: we only ever call or write to what is on record.
            Kept so that one number calling for several people is noticed.
          </p>
          {openCases.length > 0 ? (
            <fieldset className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 sm:col-span-2">
              <legend className="px-1 font-medium">This person already has an open case</legend>
              <p>
                Continue the open case if the call is about the same thing. Open another only if
                this call needs a case of its own: it counts as a repeat call.
              </p>
              {openCases.map((kase) => (
                <label key={kase.id} className="mt-2 flex items-start gap-2">
                  <input
                    type="checkbox"
                    name="acknowledgedOpenCases"
                    value={kase.id}
                    required
                    className="mt-1"
                  />
                  <span>I have read {kase.label} and this call needs its own case.</span>
                </label>
              ))}
            </fieldset>
          ) : null}
          <div>
            <Button type="submit" disabled={pending}>
              {openCases.length > 0 ? "Open another case" : "Open case"}
            </Button>
          </div>
        </>
      )}
    </ActionForm>
  );
}
