"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { ActionForm } from "@/components/action-form";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { Button } from "@/components/ui/button";
import {
  finishReverifyAction,
  removePasskeyAction,
  renamePasskeyAction,
  reportLostAction,
  signOutEverywhereAction,
  startReverifyAction,
} from "./actions";

/**
 * Name, remove or report lost one active passkey (docs/decisions/036). The server decides every
 * rule (a fresh "Confirm it's you" before removing or reporting lost; the last passkey only with
 * its box ticked); this shows the warning and the box before it asks.
 */
export function PasskeyActions({
  passkey,
  last,
  warning,
}: {
  passkey: { id: string; label: string; nickname: string | null };
  last: boolean;
  warning: string;
}) {
  const nameId = `name-${passkey.id}`;
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm text-indigo-700 underline">
        Manage {passkey.label}
      </summary>
      <div className="mt-2 space-y-4 rounded-md border border-slate-200 p-3">
        <ActionForm action={renamePasskeyAction} label={`Name ${passkey.label}`}>
          {(pending) => (
            <div className="flex flex-wrap items-end gap-2">
              <input type="hidden" name="passkeyId" value={passkey.id} />
              <label htmlFor={nameId} className="block text-sm">
                Name
                <input
                  id={nameId}
                  name="nickname"
                  defaultValue={passkey.nickname ?? ""}
                  maxLength={60}
                  className="mt-1 block rounded-md border border-slate-300 px-2 py-1"
                />
              </label>
              <Button type="submit" variant="secondary" disabled={pending}>
                Save name
              </Button>
            </div>
          )}
        </ActionForm>
        <Destructive
          action={removePasskeyAction}
          passkey={passkey}
          last={last}
          warning={warning}
          button="Remove this passkey"
          explain="Remove it if you no longer use that device. You stay signed in here."
        />
        <Destructive
          action={reportLostAction}
          passkey={passkey}
          last={last}
          warning={warning}
          button="Report this device lost"
          explain="It stops working at once and every session on your account is signed out, here too."
        />
      </div>
    </details>
  );
}

function Destructive({
  action,
  passkey,
  last,
  warning,
  button,
  explain,
}: {
  action: typeof removePasskeyAction;
  passkey: { id: string; label: string };
  last: boolean;
  warning: string;
  button: string;
  explain: string;
}) {
  const boxId = `${button.split(" ")[0]!.toLowerCase()}-confirm-${passkey.id}`;
  return (
    <ActionForm action={action} label={`${button}: ${passkey.label}`}>
      {(pending) => (
        <div className="space-y-2">
          <input type="hidden" name="passkeyId" value={passkey.id} />
          <p className="text-sm text-slate-700">{explain}</p>
          {last ? (
            <>
              <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">{warning}</p>
              <label htmlFor={boxId} className="flex items-center gap-2 text-sm">
                <input id={boxId} type="checkbox" name="confirmLast" value="on" />I understand: this
                is my last passkey.
              </label>
            </>
          ) : null}
          <Button
            type="submit"
            disabled={pending}
            className="bg-rose-700 text-white hover:bg-rose-800"
          >
            {button}
          </Button>
        </div>
      )}
    </ActionForm>
  );
}

/** "Confirm it's you" before a removal or a lost report; the page then shows the session as fresh. */
export function ConfirmBeforeChange({ minutes }: { minutes: number }) {
  const router = useRouter();
  return (
    <div>
      <p className="text-sm text-slate-700">
        Removing a passkey or reporting a device lost needs you to confirm it&apos;s you with a
        passkey you still have, within the last {minutes} minutes.
      </p>
      <PasskeyCeremonyButton
        label="Confirm with a passkey to remove or report"
        run={async () => {
          const options = await startReverifyAction();
          if (!options.ok) return { ok: false, text: options.message };
          let response;
          try {
            response = await startAuthentication({ optionsJSON: options.value });
          } catch (error) {
            return deviceRefusal(error, "confirm it's you");
          }
          const result = await finishReverifyAction(response);
          if (!result.ok) return { ok: false, text: result.message };
          router.refresh();
          return {
            ok: true,
            text: `Confirmed. You can remove one passkey or report one device lost in the next ${minutes} minutes.`,
          };
        }}
      />
    </div>
  );
}

/** Ends every session of the person, this one included (no fresh verification: it only takes access away). */
export function SignOutEverywhere() {
  return (
    <ActionForm action={signOutEverywhereAction} label="Sign out everywhere">
      {(pending) => (
        <div className="space-y-2">
          <p className="text-sm text-slate-700">
            Signs out every browser and device signed in to your account, this one too.
          </p>
          <Button type="submit" variant="secondary" disabled={pending}>
            Sign out everywhere
          </Button>
        </div>
      )}
    </ActionForm>
  );
}
