"use server";

import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { staffAction, staffCall } from "@/lib/auth/actions";
import { getCurrentStaffSession } from "@/lib/auth/session";
import {
  finishStaffPasskeyRegistration,
  finishStaffStepUp,
  removeStaffPasskey,
  startStaffPasskeyRegistration,
  startStaffStepUp,
} from "@/lib/server/staff-passkeys";
import {
  RemoveStaffPasskeySchema,
  StaffAuthenticationResponseSchema,
  StaffRegistrationResponseSchema,
} from "./webauthn-responses";

const UNEXPECTED_RESPONSE = "The browser sent an unexpected response. Try again.";

/** Begins setting up one of the signed-in staff member's own passkeys (decision 015 says when). */
export const startStaffRegistrationAction = staffCall(
  "signed-in",
  [],
  async ({ actor, request }) =>
    startStaffPasskeyRegistration({
      staff: actor,
      session: await getCurrentStaffSession(),
      request,
    }),
  { path: "/passkeys" },
);

export const finishStaffRegistrationAction = staffCall(
  "signed-in",
  [{ schema: StaffRegistrationResponseSchema, invalid: UNEXPECTED_RESPONSE }],
  async ({ actor, input: [response], request }) =>
    finishStaffPasskeyRegistration({
      staff: actor,
      session: await getCurrentStaffSession(),
      response: response as unknown as RegistrationResponseJSON,
      request,
    }),
  { path: "/passkeys" },
);

/** "Confirm it's you": an assertion from one of the staff member's own passkeys. */
export const startStepUpAction = staffCall(
  "signed-in",
  [],
  async ({ actor }) => startStaffStepUp({ staff: actor, session: await getCurrentStaffSession() }),
  { path: "/passkeys" },
);

export const finishStepUpAction = staffCall(
  "signed-in",
  [{ schema: StaffAuthenticationResponseSchema, invalid: UNEXPECTED_RESPONSE }],
  async ({ actor, input: [response], request }) =>
    finishStaffStepUp({
      staff: actor,
      session: await getCurrentStaffSession(),
      response: response as unknown as AuthenticationResponseJSON,
      request,
    }),
  { path: "/passkeys" },
);

export const removeStaffPasskeyAction = staffAction(
  "signed-in",
  RemoveStaffPasskeySchema,
  async ({ actor, input, request }) => {
    await removeStaffPasskey({
      staff: actor,
      session: await getCurrentStaffSession(),
      passkeyId: input.passkeyId,
      request,
    });
    return "Passkey removed. It no longer confirms it's you.";
  },
  { path: "/passkeys", revalidate: "/passkeys" },
);
