"use client";

import { useRef, useState } from "react";
import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import {
  REVOCATION_REASON_LABELS,
  REVOCATION_REASONS,
  type RevocationReason,
  type RevokeAllPreview,
} from "@/lib/domain/revocation";
import { changeAccessAction, clearHoldAction, revokePasskeysAction } from "../actions";

function ReasonSelect({
  id,
  defaultReason,
  onChange,
}: {
  id: string;
  defaultReason: RevocationReason;
  onChange?: (reason: RevocationReason) => void;
}) {
  return (
    <>
      <label htmlFor={id} className="sr-only">
        Reason
      </label>
      <select
        id={id}
        name="reason"
        defaultValue={defaultReason}
        onChange={
          onChange ? (event) => onChange(event.target.value as RevocationReason) : undefined
        }
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs"
      >
        {REVOCATION_REASONS.map((reason) => (
          <option key={reason} value={reason}>
            {REVOCATION_REASON_LABELS[reason]}
          </option>
        ))}
      </select>
    </>
  );
}

export function RevokeOneForm({
  userId,
  passkeyId,
  model,
  defaultReason,
}: {
  userId: string;
  passkeyId: string;
  model: string;
  defaultReason: RevocationReason;
}) {
  return (
    <ActionForm
      action={revokePasskeysAction}
      label={`Revoke ${model}`}
      className="flex flex-wrap items-center gap-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="scope" value="ONE" />
          <input type="hidden" name="passkeyId" value={passkeyId} />
          <ReasonSelect id={`reason-${passkeyId}`} defaultReason={defaultReason} />
          <Button
            type="submit"
            variant="secondary"
            disabled={pending}
            className="px-2 py-1 text-xs"
          >
            Revoke
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/**
 * Revoke all, in two steps (decision 025): the button opens a modal dialog that names what will
 * be revoked (each passkey by model, kind and last use, and what else stops) before anything is
 * done; the form posts the passkeys it named, and the server refuses if they are not exactly the
 * active ones any more. A native <dialog>: focus moves into it (to Cancel), Escape or Cancel
 * closes it and focus returns to the button; screen readers announce its title and the list.
 */
export function RevokeAllForm({
  userId,
  userName,
  defaultReason,
  preview,
}: {
  userId: string;
  userName: string;
  defaultReason: RevocationReason;
  preview: RevokeAllPreview;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState<RevocationReason>(defaultReason);
  const count = preview.passkeys.length;
  const close = () => dialog.current?.close();
  return (
    <ActionForm
      action={revokePasskeysAction}
      label="Revoke all passkeys"
      className="flex flex-wrap items-center gap-2"
    >
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="scope" value="ALL" />
          <input
            type="hidden"
            name="confirmedPasskeyIds"
            value={preview.passkeys.map((passkey) => passkey.id).join(",")}
          />
          <ReasonSelect
            id="reason-all"
            defaultReason={defaultReason}
            onChange={(value) => setReason(value)}
          />
          <Button
            type="button"
            disabled={pending}
            aria-haspopup="dialog"
            className="bg-rose-700 hover:bg-rose-800"
            onClick={() => {
              dialog.current?.showModal();
              dialog.current?.querySelector<HTMLButtonElement>("[data-cancel]")?.focus();
            }}
          >
            Revoke all passkeys…
          </Button>
          <dialog
            ref={dialog}
            aria-labelledby="revoke-all-title"
            aria-describedby="revoke-all-what"
            className="m-auto max-w-lg rounded-lg border border-slate-200 p-5 shadow-xl backdrop:bg-slate-900/40"
          >
            <h2 id="revoke-all-title" className="text-lg font-semibold">
              Revoke all of {userName}’s passkeys?
            </h2>
            <div id="revoke-all-what" className="mt-2 space-y-2 text-sm">
              {count === 0 ? (
                <p>They have no active passkey.</p>
              ) : (
                <>
                  <p>
                    {count === 1 ? "This passkey stops" : `These ${count} passkeys stop`} working at
                    once:
                  </p>
                  <ul aria-label="Passkeys to revoke" className="list-disc pl-5">
                    {preview.passkeys.map((passkey) => (
                      <li key={passkey.id}>{passkey.label}</li>
                    ))}
                  </ul>
                </>
              )}
              {preview.alsoStops.length > 0 ? (
                <>
                  <p>Also stops:</p>
                  <ul aria-label="Also stops" className="list-disc pl-5">
                    {preview.alsoStops.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </>
              ) : (
                <p>No pass, link, request or session is open.</p>
              )}
              <p>
                Reason: {REVOCATION_REASON_LABELS[reason]}. {userName} is told at every verified
                address. It cannot be undone: to get back in they need a new recovery.
              </p>
            </div>
            <div className="mt-4 flex flex-wrap justify-end gap-2">
              <Button type="button" variant="secondary" data-cancel onClick={close}>
                Cancel
              </Button>
              <Button
                type="submit"
                disabled={pending}
                onClick={close}
                className="bg-rose-700 hover:bg-rose-800"
              >
                {count === 0
                  ? "Revoke now"
                  : `Revoke ${count === 1 ? "this passkey" : `these ${count} passkeys`} now`}
              </Button>
            </div>
          </dialog>
        </>
      )}
    </ActionForm>
  );
}

export function ClearHoldForm({ userId }: { userId: string }) {
  return (
    <ActionForm action={clearHoldAction} label="Clear the hold" className="mt-2 space-y-2">
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <label htmlFor="hold-note" className="block text-xs font-medium text-slate-700">
            What you reviewed, and why recovery may go on
          </label>
          <textarea
            id="hold-note"
            name="note"
            rows={2}
            maxLength={500}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Clear the hold
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** Suspends a person's access, or lifts a suspension (`status` is what it changes to). */
export function ChangeAccessForm({
  userId,
  status,
}: {
  userId: string;
  status: "SUSPENDED" | "ACTIVE";
}) {
  const label = status === "SUSPENDED" ? "Suspend access now" : "Lift the suspension";
  return (
    <ActionForm action={changeAccessAction} label={label} className="mt-3">
      {(pending) => (
        <>
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="status" value={status} />
          <Button
            type="submit"
            variant={status === "SUSPENDED" ? "primary" : "secondary"}
            disabled={pending}
            className={status === "SUSPENDED" ? "bg-rose-700 hover:bg-rose-800" : ""}
          >
            {label}
          </Button>
        </>
      )}
    </ActionForm>
  );
}
