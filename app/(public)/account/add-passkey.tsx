"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useMemo, useState } from "react";
import { OutcomeMessage, useOutcomeFocus } from "@/components/outcome";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { finishReverifyAction, startReverifyAction } from "./actions";
import { EnrolPasskey } from "./enrol-passkey";

/**
 * "Add a passkey" for someone signed in with a passkey (docs/decisions/016). Each addition needs
 * a fresh user verification: the sign-in itself for a few minutes, else "Confirm it's you" with
 * a passkey they already have. One confirmation, one passkey; the server decides, this only
 * offers the next step.
 */
export function AddPasskey({ fresh, minutes }: { fresh: boolean; minutes: number }) {
  const [confirmed, setConfirmed] = useState(fresh);
  const [status, setStatus] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  // Each round remounts the buttons, so a finished ceremony never leaves a stale button behind.
  const [round, setRound] = useState(0);
  // Each step's outcome takes focus as it appears (the button that led to it is gone).
  const outcome = useMemo(
    () =>
      refusal !== null
        ? { ok: false, text: refusal }
        : status !== null
          ? { ok: true, text: status }
          : null,
    [refusal, status],
  );
  const { root, message } = useOutcomeFocus<HTMLElement>(outcome);
  return (
    <section ref={root} aria-labelledby="add-passkey" className="space-y-2">
      <h2 id="add-passkey" className="font-semibold">
        Add a passkey
      </h2>
      <p className="text-sm text-slate-600">
        Set up a passkey on another device, so you can still sign in if you lose this one. Every
        address we hold for you is told, with a link to undo it if it was not you.
      </p>
      {outcome ? <OutcomeMessage outcome={outcome} ref={message} className="" /> : null}
      {confirmed ? (
        <>
          <p className="text-sm text-slate-700">
            You can add one passkey now. Your device will ask for your fingerprint, face or PIN.
          </p>
          <EnrolPasskey
            key={`add-${round}`}
            label="Add a passkey"
            done="We told you at every address we hold."
            onRefused={(message) => {
              // Refused by the server (most often: the confirmation is no longer fresh): back to step one.
              setStatus(null);
              setRefusal(message);
              setConfirmed(false);
              setRound((n) => n + 1);
            }}
            onDone={(model) => {
              setRefusal(null);
              setStatus(
                `Your new passkey (${model}) is ready. We told you at every address we hold. To add another, confirm it's you again.`,
              );
              setConfirmed(false);
              setRound((n) => n + 1);
            }}
          />
        </>
      ) : (
        <>
          <p className="text-sm text-slate-700">
            First confirm it&apos;s you with a passkey you already have. Then you have {minutes}{" "}
            minutes to add the new one.
          </p>
          <PasskeyCeremonyButton
            key={`confirm-${round}`}
            label="Confirm it's you"
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
              setRefusal(null);
              setStatus(`Confirmed. You can add one passkey in the next ${minutes} minutes.`);
              setConfirmed(true);
              setRound((n) => n + 1);
              return { ok: true, text: "Confirmed." };
            }}
          />
        </>
      )}
    </section>
  );
}
