"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";
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
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function enrol() {
    setPending(true);
    setMessage(null);
    try {
      const options = await start();
      if (!options.ok) return setMessage({ ok: false, text: options.message });
      let response;
      try {
        response = await startRegistration({ optionsJSON: options.value });
      } catch (error) {
        return setMessage({ ok: false, text: `Your device did not create a passkey (${(error as Error).name}). Try again.` });
      }
      const result = await finish(response);
      if (!result.ok) return setMessage({ ok: false, text: result.message });
      setMessage({ ok: true, text: `Your new passkey (${result.value.model}) is ready. Use it to sign in from now on.` });
      if (refreshAfter) router.refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <div>
      <Button type="button" onClick={() => void enrol()} disabled={pending || message?.ok === true}>
        Set up a new passkey
      </Button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={`mt-2 text-sm ${message.ok ? "text-emerald-800" : "text-rose-700"}`}>
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
