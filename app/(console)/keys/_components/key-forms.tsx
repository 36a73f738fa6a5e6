"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ActionForm } from "@/components/action-form";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { Button } from "@/components/ui/button";
import {
  addKeyAction,
  finishKeyIssueAction,
  retireKeyAction,
  startKeyIssueAction,
  takeBackKeyAction,
} from "../actions";

const INPUT = "w-full rounded-md border border-slate-500 px-3 py-2 text-sm";

/** Security reviewers add a key to stock: serial, AAGUID, and a model name if the AAGUID is new to us. */
export function AddKeyForm() {
  return (
    <ActionForm action={addKeyAction} label="Add a key to stock" className="space-y-2">
      {(pending) => (
        <>
          <label htmlFor="key-serial" className="block text-xs font-medium text-slate-700">
            Serial (as printed on the key)
          </label>
          <input id="key-serial" name="serial" maxLength={40} className={INPUT} />
          <label htmlFor="key-aaguid" className="block text-xs font-medium text-slate-700">
            AAGUID (the model&apos;s identifier, from the vendor)
          </label>
          <input id="key-aaguid" name="aaguid" maxLength={40} className={INPUT} />
          <label htmlFor="key-model" className="block text-xs font-medium text-slate-700">
            Model name (optional; known models are named from the AAGUID)
          </label>
          <input id="key-model" name="modelName" maxLength={100} className={INPUT} />
          <Button type="submit" disabled={pending}>
            Add to stock
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function TakeBackKeyForm({
  keyId,
  serial,
  move,
}: {
  keyId: string;
  serial: string;
  move: "return" | "lose";
}) {
  const label = move === "return" ? `Return ${serial}` : `Report ${serial} lost`;
  return (
    <ActionForm action={takeBackKeyAction} label={label}>
      {(pending) => (
        <>
          <input type="hidden" name="keyId" value={keyId} />
          <input type="hidden" name="move" value={move} />
          <Button
            type="submit"
            variant="secondary"
            disabled={pending}
            className="px-2 py-1 text-xs"
            aria-label={label}
          >
            {move === "return" ? "Returned" : "Lost"}
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function RetireKeyForm({ keyId, serial }: { keyId: string; serial: string }) {
  return (
    <ActionForm action={retireKeyAction} label={`Retire ${serial}`}>
      {(pending) => (
        <>
          <input type="hidden" name="keyId" value={keyId} />
          <Button
            type="submit"
            variant="secondary"
            disabled={pending}
            className="px-2 py-1 text-xs"
            aria-label={`Retire ${serial}`}
          >
            Retire
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/**
 * On a walk-in case: choose a key from stock, plug it into this computer, and register it for the
 * person (their passkey, not yours). The server refuses it unless the case may lead to a passkey.
 */
export function IssueKey({
  caseId,
  keys,
}: {
  caseId: string;
  keys: readonly { id: string; serial: string; modelName: string }[];
}) {
  const router = useRouter();
  const [keyId, setKeyId] = useState(keys[0]?.id ?? "");
  return (
    <div className="space-y-2">
      <label htmlFor="issue-key" className="block text-xs font-medium text-slate-700">
        Key from stock
      </label>
      <select
        id="issue-key"
        value={keyId}
        onChange={(event) => setKeyId(event.target.value)}
        className={INPUT}
      >
        {keys.map((key) => (
          <option key={key.id} value={key.id}>
            {key.serial} ({key.modelName})
          </option>
        ))}
      </select>
      <PasskeyCeremonyButton
        label="Register the key for this person"
        run={async () => {
          const options = await startKeyIssueAction(caseId, keyId);
          if (!options.ok) return { ok: false, text: options.message };
          let response;
          try {
            response = await startRegistration({ optionsJSON: options.value });
          } catch (error) {
            return deviceRefusal(error, "register the security key");
          }
          const result = await finishKeyIssueAction(caseId, keyId, response);
          if (!result.ok) return { ok: false, text: result.message };
          router.refresh();
          return {
            ok: true,
            text: `Key ${result.value.serial} is issued: it is now this person's passkey. They were told at every address.`,
          };
        }}
      />
    </div>
  );
}
