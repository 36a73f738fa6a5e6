"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { ActionForm } from "@/components/action-form";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { Button } from "@/components/ui/button";
import {
  finishStaffRegistrationAction,
  removeStaffPasskeyAction,
  startStaffRegistrationAction,
} from "../actions";

/** Sets up a staff passkey on this device (user verification required). */
export function AddStaffPasskey() {
  const router = useRouter();
  return (
    <PasskeyCeremonyButton
      label="Set up a staff passkey"
      run={async () => {
        const options = await startStaffRegistrationAction();
        if (!options.ok) return { ok: false, text: options.message };
        let response;
        try {
          response = await startRegistration({ optionsJSON: options.value });
        } catch (error) {
          return deviceRefusal(error, "create a passkey");
        }
        const result = await finishStaffRegistrationAction(response);
        if (!result.ok) return { ok: false, text: result.message };
        router.refresh();
        return {
          ok: true,
          text: `Your staff passkey (${result.value.model}) is ready. Use “Confirm it's you” with it before a high-risk act.`,
        };
      }}
    />
  );
}

export function RemoveStaffPasskeyForm({ passkeyId, model }: { passkeyId: string; model: string }) {
  return (
    <ActionForm action={removeStaffPasskeyAction} label={`Remove ${model}`}>
      {(pending) => (
        <>
          <input type="hidden" name="passkeyId" value={passkeyId} />
          <Button
            type="submit"
            variant="secondary"
            disabled={pending}
            className="px-2 py-1 text-xs"
          >
            Remove
          </Button>
        </>
      )}
    </ActionForm>
  );
}
