"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { finishSignInAction, startSignInAction } from "./actions";

export function PasskeySignIn() {
  const router = useRouter();
  return (
    <PasskeyCeremonyButton
      label="Sign in with a passkey"
      run={async () => {
        const options = await startSignInAction();
        if (!options.ok) return { ok: false, text: options.message };
        let response;
        try {
          response = await startAuthentication({ optionsJSON: options.value });
        } catch (error) {
          return deviceRefusal(error, "sign in");
        }
        const result = await finishSignInAction(response);
        if (!result.ok) return { ok: false, text: result.message };
        router.refresh();
        return { ok: true, text: "Signed in." };
      }}
    />
  );
}
