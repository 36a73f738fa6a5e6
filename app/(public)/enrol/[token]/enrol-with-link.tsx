"use client";

import { EnrolPasskey } from "../../account/enrol-passkey";
import { finishLinkRegistrationAction, startLinkRegistrationAction } from "./actions";

export function EnrolWithLink({ token }: { token: string }) {
  return (
    <EnrolPasskey
      start={() => startLinkRegistrationAction(token)}
      finish={(response) => finishLinkRegistrationAction(token, response)}
      refreshAfter={false}
    />
  );
}
