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
  label = "Set up a new passkey",
  done = "Use it to sign in from now on.",
  onDone,
  onRefused,
}: {
  start?: () => Promise<Result<PublicKeyCredentialCreationOptionsJSON>>;
  finish?: (response: unknown) => Promise<Result<{ model: string }>>;
  /** Re-render the page afterwards (the account page lists the new passkey; a used link page would only say "not valid"). */
  refreshAfter?: boolean;
  label?: string;
  /** What the success message says after "Your new passkey (model) is ready." */
  done?: string;
  /** Told of the new passkey's model once it is registered (before the page refreshes). */
  onDone?: (model: string) => void;
  /** Told when the server refuses (not when the device does), with the message to show. */
  onRefused?: (message: string) => void;
} = {}) {
  const router = useRouter();
  return (
    <PasskeyCeremonyButton
      label={label}
      run={async () => {
        const options = await start();
        if (!options.ok) {
          onRefused?.(options.message);
          return { ok: false, text: options.message };
        }
        let response;
        try {
          response = await startRegistration({ optionsJSON: options.value });
        } catch (error) {
          return deviceRefusal(error, "create a passkey");
        }
        const result = await finish(response);
        if (!result.ok) {
          onRefused?.(result.message);
          return { ok: false, text: result.message };
        }
        onDone?.(result.value.model);
        if (refreshAfter) router.refresh();
        return {
          ok: true,
          text: `Your new passkey (${result.value.model}) is ready. ${done}`,
        };
      }}
    />
  );
}
