"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { deviceRefusal, PasskeyCeremonyButton } from "@/components/passkey-ceremony-button";
import { finishProofAction, startProofAction } from "./actions";

export function ProvePasskey({ token }: { token: string }) {
  return (
    <PasskeyCeremonyButton
      label="Sign in with my passkey"
      run={async () => {
        const options = await startProofAction(token);
        if (!options.ok) return { ok: false, text: options.message };
        let response;
        try {
          response = await startAuthentication({ optionsJSON: options.value });
        } catch (error) {
          return deviceRefusal(error, "sign in");
        }
        const result = await finishProofAction(token, response);
        return result.ok
          ? {
              ok: true,
              text: "Thank you: that proves it's you. You can tell the service desk agent.",
            }
          : { ok: false, text: result.message };
      }}
    />
  );
}
