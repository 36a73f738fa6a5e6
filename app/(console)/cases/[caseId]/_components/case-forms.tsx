"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import type { ActionState } from "@/lib/action-state";
import type { RedFlagKind } from "@/lib/domain/case-vocabulary";
import {
  closeCaseAction,
  correctStepAction,
  issueTapAction,
  raiseRedFlagAction,
  recordStepAction,
  requestReenrolmentAction,
  sendStepLinkAction,
  transferCaseAction,
} from "../actions";

/**
 * A form's server action. Each form below posts to the real case action unless given another
 * with the same fields (the practice page binds them to practice actions: docs/decisions/030).
 */
export type CaseFormAction = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const field = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function RecordStepForm({
  caseId,
  kind,
  title,
  action,
}: {
  caseId: string;
  kind: string;
  title: string;
  /** Another action with the same fields (practice). */
  action?: CaseFormAction;
}) {
  const noteId = `note-${kind}`;
  return (
    <ActionForm action={action ?? recordStepAction} label={`Record: ${title}`} className="mt-3">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <input type="hidden" name="kind" value={kind} />
          <label htmlFor={noteId} className="block text-xs font-medium text-slate-700">
            Note (what you saw or heard)
          </label>
          <textarea id={noteId} name="note" rows={2} maxLength={500} className={field} />
          <div className="mt-2 flex flex-wrap gap-2">
            <Button type="submit" name="outcome" value="PASSED" disabled={pending}>
              Passed
            </Button>
            <Button
              type="submit"
              name="outcome"
              value="FAILED"
              variant="secondary"
              disabled={pending}
            >
              Failed
            </Button>
            <Button
              type="submit"
              name="outcome"
              value="UNABLE"
              variant="secondary"
              disabled={pending}
            >
              Could not complete
            </Button>
          </div>
        </>
      )}
    </ActionForm>
  );
}

const LINK_LABELS = {
  manager: { form: "Ask the manager to confirm", send: "Send confirmation request to the manager" },
  user: {
    form: "Ask the user to sign in with a passkey",
    send: "Send a passkey sign-in request to the user",
  },
} as const;

/** The form for a step completed through a one-time link; `recipient` comes from the step-kind registry. */
export function StepLinkForm({
  caseId,
  kind,
  recipient,
  resend,
  action,
}: {
  caseId: string;
  kind: string;
  recipient: keyof typeof LINK_LABELS;
  resend: boolean;
  /** Another action with the same fields (practice). */
  action?: CaseFormAction;
}) {
  return (
    <ActionForm
      action={action ?? sendStepLinkAction}
      label={LINK_LABELS[recipient].form}
      className="mt-3"
    >
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <input type="hidden" name="kind" value={kind} />
          <Button type="submit" variant={resend ? "secondary" : "primary"} disabled={pending}>
            {resend ? "Send a new request (voids the last one)" : LINK_LABELS[recipient].send}
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function RedFlagForm({
  caseId,
  flags,
  action,
}: {
  caseId: string;
  flags: { kind: RedFlagKind; label: string; effect: string }[];
  /** Another action with the same fields (practice). */
  action?: CaseFormAction;
}) {
  return (
    <ActionForm
      action={action ?? raiseRedFlagAction}
      label="Raise a red flag"
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="flag-kind" className="block text-xs font-medium text-slate-700">
            What happened
          </label>
          <select id="flag-kind" name="kind" className={field} defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            {flags.map((flag) => (
              <option key={flag.kind} value={flag.kind}>
                {flag.label} ({flag.effect === "stop" ? "stops the case" : "needs a supervisor"})
              </option>
            ))}
          </select>
          <label htmlFor="flag-note" className="block text-xs font-medium text-slate-700">
            Note
          </label>
          <textarea id="flag-note" name="note" rows={2} maxLength={500} className={field} />
          <Button
            type="submit"
            variant="secondary"
            disabled={pending}
            className="border-rose-300 text-rose-800"
          >
            Raise red flag
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function IssueTapForm({
  caseId,
  min,
  max,
  defaultMinutes,
  multiUseAllowed,
  action,
}: {
  caseId: string;
  min: number;
  max: number;
  defaultMinutes: number;
  multiUseAllowed: boolean;
  /** Another action with the same fields (practice). */
  action?: CaseFormAction;
}) {
  return (
    <ActionForm
      action={action ?? issueTapAction}
      label="Issue a temporary access pass"
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="tap-minutes" className="block text-xs font-medium text-slate-700">
            Lifetime in minutes ({min} to {max})
          </label>
          <input
            id="tap-minutes"
            name="lifetimeMinutes"
            type="number"
            min={min}
            max={max}
            defaultValue={defaultMinutes}
            className={field}
          />
          {multiUseAllowed ? (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="multiUse" /> Let it be used more than once within its
              lifetime
            </label>
          ) : (
            <p className="text-xs text-slate-500">One use only for this tier.</p>
          )}
          <Button type="submit" disabled={pending}>
            Issue and send the pass
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function CloseCaseForm({
  caseId,
  outstanding,
  action,
}: {
  caseId: string;
  outstanding: string[];
  action?: CaseFormAction;
}) {
  return (
    <ActionForm action={action ?? closeCaseAction} label="Close the case" className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          {outstanding.length > 0 ? (
            <p
              role="note"
              className="rounded border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900"
            >
              Still outstanding: {outstanding.join("; ")}. Closing voids{" "}
              {outstanding.length > 1 ? "them" : "it"} at once, and the user is told it no longer
              works.
            </p>
          ) : null}
          <label htmlFor="close-reason" className="block text-xs font-medium text-slate-700">
            Why it is closed
          </label>
          <input
            id="close-reason"
            name="closeReason"
            className={field}
            placeholder="e.g. recovered, caller hung up, not the user"
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Close case
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function ReenrolmentForm({
  caseId,
  passkeys,
  action,
}: {
  caseId: string;
  passkeys: { id: string; label: string }[];
  /** Another action with the same fields (practice). */
  action?: CaseFormAction;
}) {
  return (
    <ActionForm
      action={action ?? requestReenrolmentAction}
      label="Request re-enrolment"
      className="space-y-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          {passkeys.length > 0 ? (
            <fieldset>
              <legend className="text-xs font-medium text-slate-700">
                Revoke when the new passkey is set up (the lost ones):
              </legend>
              {passkeys.map((passkey) => (
                <label key={passkey.id} className="mt-1 flex items-center gap-2 text-sm">
                  <input type="checkbox" name="revoke" value={passkey.id} /> {passkey.label}
                </label>
              ))}
            </fieldset>
          ) : (
            <p className="text-xs text-slate-600">No active passkeys to replace.</p>
          )}
          <Button type="submit" disabled={pending}>
            Request re-enrolment
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** A supervisor reopens a failed or incomplete step: never silent, always with a reason. */
export function CorrectStepForm({
  caseId,
  kind,
  title,
}: {
  caseId: string;
  kind: string;
  title: string;
}) {
  const noteId = `correct-${kind}`;
  return (
    <ActionForm
      action={correctStepAction}
      label={`Reopen: ${title}`}
      className="mt-3 rounded border border-slate-200 p-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <input type="hidden" name="kind" value={kind} />
          <label htmlFor={noteId} className="block text-xs font-medium text-slate-700">
            Why reopen it (a misclick, a retry you allow)
          </label>
          <textarea id={noteId} name="note" rows={2} maxLength={500} className={field} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Reopen this step
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** Hands the case to another team: the only way it leaves this one. */
export function TransferCaseForm({ caseId, teams }: { caseId: string; teams: string[] }) {
  return (
    <ActionForm action={transferCaseAction} label="Hand over to another team" className="space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={caseId} />
          <label htmlFor="transfer-team" className="block text-xs font-medium text-slate-700">
            Team
          </label>
          <select id="transfer-team" name="team" className={field} defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            {teams.map((team) => (
              <option key={team} value={team}>
                {team}
              </option>
            ))}
          </select>
          <label htmlFor="transfer-note" className="block text-xs font-medium text-slate-700">
            Why
          </label>
          <input
            id="transfer-note"
            name="note"
            className={field}
            placeholder="e.g. caller is in the South office"
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Hand over
          </Button>
        </>
      )}
    </ActionForm>
  );
}
