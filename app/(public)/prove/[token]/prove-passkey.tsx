"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { finishProofAction, startProofAction } from "./actions";

export function ProvePasskey({ token }: { token: string }) {
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function prove() {
    setPending(true);
    setMessage(null);
    try {
      const options = await startProofAction(token);
      if (!options.ok) return setMessage({ ok: false, text: options.message });
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options.value });
      } catch (error) {
        return setMessage({ ok: false, text: `Your device did not sign in (${(error as Error).name}). Try again.` });
      }
      const result = await finishProofAction(token, response);
      setMessage(result.ok ? { ok: true, text: "Thank you: that proves it's you. You can tell the service desk agent." } : { ok: false, text: result.message });
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="mt-4">
      <Button type="button" onClick={() => void prove()} disabled={pending || message?.ok === true}>
        Sign in with my passkey
      </Button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={`mt-2 text-sm ${message.ok ? "text-emerald-800" : "text-rose-700"}`}>
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
