"use client";

import { useState } from "react";
import { OutcomeMessage, useOutcomeFocus, type Outcome } from "@/components/outcome";
import { Button } from "@/components/ui/button";

export type CeremonyOutcome = Outcome;

/** The browser's name for a failed WebAuthn call, in words (the user cancelled, no passkey, ...). */
export function deviceRefusal(error: unknown, what: string): CeremonyOutcome {
  return {
    ok: false,
    text: `Your device did not ${what} (${(error as Error)?.name ?? "error"}). Try again.`,
  };
}

/**
 * One button for a passkey ceremony (register, prove, sign in): runs it, shows its outcome as a
 * status or an alert and moves focus there (components/outcome.tsx), and stays disabled while
 * running and after a success.
 */
export function PasskeyCeremonyButton({
  label,
  run,
}: {
  label: string;
  run: () => Promise<CeremonyOutcome | null>;
}) {
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<CeremonyOutcome | null>(null);
  const { root, message } = useOutcomeFocus<HTMLDivElement>(outcome);
  return (
    <div ref={root} className="mt-4">
      <Button
        type="button"
        disabled={pending || outcome?.ok === true}
        onClick={async () => {
          setPending(true);
          setOutcome(null);
          try {
            setOutcome(await run());
          } finally {
            setPending(false);
          }
        }}
      >
        {label}
      </Button>
      {outcome ? <OutcomeMessage outcome={outcome} ref={message} /> : null}
    </div>
  );
}
