"use client";

import {
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
} from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { finishRegistrationAction, startRegistrationAction } from "./actions";

type Result<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Registers a passkey on this device. By default for the signed-in account session; the
 * enrolment-link page passes its own pair of actions bound to the link.
 */
export function EnrolPasskey({
  start = startRegistrationAction,
  finish = finishRegistrationAction,
  refreshAfter = true,
}: {
  start?: () => Promise<Result<PublicKeyCredentialCreationOptionsJSON>>;
  finish?: (response: unknown) => Promise<Result<{ model: string }>>;
  /** Re-render the page afterwards (the account page lists the new passkey; a used link page would only say "not valid"). */
  refreshAfter?: boolean;
} = {}) {
  const router = useRouter();
  return (
    <PasskeyCeremonyButton
      label="Set up a new passkey"
      run={async () => {
        const options = await start();
        if (!options.ok) return { ok: false, text: options.message };
        let response;
        try {
          response = await startRegistration({ optionsJSON: options.value });
        } catch (error) {
          return deviceRefusal(error, "create a passkey");
        }
        const result = await finish(response);
        if (!result.ok) return { ok: false, text: result.message };
        if (refreshAfter) router.refresh();
        return {
          ok: true,
          text: `Your new passkey (${result.value.model}) is ready. Use it to sign in from now on.`,
        };
      }}
    />
  );
}
