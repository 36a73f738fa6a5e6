"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { finishSignInAction, startSignInAction } from "./actions";

export function PasskeySignIn() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signIn() {
    setPending(true);
    setError(null);
    try {
      const options = await startSignInAction();
      if (!options.ok) return setError(options.message);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options.value });
      } catch (e) {
        return setError(`Your device did not sign in (${(e as Error).name}). Try again.`);
      }
      const result = await finishSignInAction(response);
      if (!result.ok) return setError(result.message);
      router.refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="mt-4">
      <Button type="button" onClick={() => void signIn()} disabled={pending}>
        Sign in with a passkey
      </Button>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-rose-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
