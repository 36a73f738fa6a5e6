"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { markPasskeysLostAction } from "./recovery-code-actions";

/** From the session a recovery code opened: revoke the passkeys on the lost devices at once. */
export function MarkPasskeysLost({ passkeys }: { passkeys: { id: string; label: string }[] }) {
  if (passkeys.length === 0) return null;
  return (
    <section aria-labelledby="mark-lost" className="space-y-2">
      <h2 id="mark-lost" className="font-semibold">
        Passkeys on lost devices
      </h2>
      <ActionForm action={markPasskeysLostAction} label="Mark passkeys lost" className="space-y-2">
        {(pending) => (
          <fieldset className="space-y-2">
            <legend className="text-sm text-slate-600">
              Choose the passkeys on devices you lost: they stop working at once.
            </legend>
            {passkeys.map((passkey) => (
              <div key={passkey.id} className="flex items-center gap-2 text-sm">
                <input type="checkbox" id={`lost-${passkey.id}`} name="lost" value={passkey.id} />
                <label htmlFor={`lost-${passkey.id}`}>{passkey.label}</label>
              </div>
            ))}
            <Button type="submit" variant="secondary" disabled={pending}>
              Revoke the chosen passkeys
            </Button>
          </fieldset>
        )}
      </ActionForm>
    </section>
  );
}
