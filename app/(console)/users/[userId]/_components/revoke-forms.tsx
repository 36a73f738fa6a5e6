"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import {
  REVOCATION_REASON_LABELS,
  REVOCATION_REASONS,
  type RevocationReason,
} from "@/lib/domain/revocation";
import { changeAccessAction, clearHoldAction, revokePasskeysAction } from "../actions";

function ReasonSelect({ id, defaultReason }: { id: string; defaultReason: RevocationReason }) {
  return (
    <>
      <label htmlFor={id} className="sr-only">
        Reason
      </label>
      <select
        id={id}
        name="reason"
        defaultValue={defaultReason}
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

export function RevokeAllForm({
  userId,
  defaultReason,
}: {
  userId: string;
  defaultReason: RevocationReason;
}) {
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
          <ReasonSelect id="reason-all" defaultReason={defaultReason} />
          <Button type="submit" disabled={pending} className="bg-rose-700 hover:bg-rose-800">
            Revoke all passkeys now
          </Button>
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
