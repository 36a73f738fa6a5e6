"use server";

import { z } from "zod";
import { staffAction } from "@/lib/auth/actions";
import { startFullVerification } from "@/lib/server/start-full-verification";

/** Queues a full verification for the verification worker; the page follows its progress. */
export const startFullVerificationAction = staffAction(
  "audit:read",
  z.object({}),
  async ({ actor, request }) => {
    await startFullVerification({ actor, request });
    return "Full verification queued: the verification worker runs it outside the console.";
  },
  { path: "/audit", revalidate: "/audit" },
);
