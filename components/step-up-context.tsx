"use client";

import { createContext, useContext } from "react";

/**
 * What a form shows when the server refused a high-risk act for want of a fresh step-up
 * (decision 015): "Confirm it's you", or a link to set up a staff passkey. The console's layout
 * provides it (app/(console)/_components/step-up.tsx); elsewhere nothing is shown beyond the message.
 */
export const StepUpContext = createContext<((next: "confirm" | "enrol") => React.ReactNode) | null>(
  null,
);

export function useStepUpPrompt() {
  return useContext(StepUpContext);
}
