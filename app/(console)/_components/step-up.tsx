"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { OutcomeMessage, useOutcomeFocus } from "@/components/outcome";
import { deviceRefusal, type CeremonyOutcome } from "@/components/passkey-ceremony-button";
import { StepUpContext } from "@/components/step-up-context";
import { Button } from "@/components/ui/button";
import { finishStepUpAction, startStepUpAction } from "../passkeys/actions";

/** UTC, as every time in the console (components/status-badge.tsx), so server and browser agree. */
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});

/** Runs "Confirm it's you" (a staff passkey assertion with user verification). */
async function confirmItsYou(): Promise<CeremonyOutcome & { until?: Date }> {
  const options = await startStepUpAction();
  if (!options.ok) return { ok: false, text: options.message };
  let response;
  try {
    response = await startAuthentication({ optionsJSON: options.value });
  } catch (error) {
    return deviceRefusal(error, "confirm it's you");
  }
  const result = await finishStepUpAction(response);
  if (!result.ok) return { ok: false, text: result.message };
  const until = new Date(result.value.until);
  return { ok: true, text: `Confirmed until ${timeFormat.format(until)}.`, until };
}

/** The "Confirm it's you" button, with its outcome. `after` says what to do next on success. */
export function ConfirmItsYouButton({
  after = "",
  refresh = true,
  variant = "primary",
}: {
  after?: string;
  refresh?: boolean;
  variant?: "primary" | "secondary";
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<CeremonyOutcome | null>(null);
  const { root, message } = useOutcomeFocus<HTMLDivElement>(outcome);
  return (
    <div ref={root}>
      <Button
        type="button"
        variant={variant}
        disabled={pending}
        onClick={async () => {
          setPending(true);
          setOutcome(null);
          try {
            const result = await confirmItsYou();
            setOutcome(result.ok ? { ok: true, text: `${result.text} ${after}`.trim() } : result);
            if (result.ok && refresh) router.refresh();
          } finally {
            setPending(false);
          }
        }}
      >
        Confirm it&apos;s you
      </Button>
      {outcome ? <OutcomeMessage outcome={outcome} ref={message} /> : null}
    </div>
  );
}

function EnrolLink() {
  const pathname = usePathname();
  return (
    <Link
      href={`/passkeys?next=${encodeURIComponent(pathname)}`}
      className="font-medium text-indigo-700 hover:underline"
    >
      Set up a staff passkey
    </Link>
  );
}

/** Inside a form whose high-risk act was refused for want of a fresh step-up. */
function InlinePrompt({ next }: { next: "confirm" | "enrol" }) {
  return (
    <div className="mt-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
      {next === "confirm" ? (
        <ConfirmItsYouButton after="Now press the button above again." refresh={false} />
      ) : (
        <p>
          <EnrolLink />, then come back and try again.
        </p>
      )}
    </div>
  );
}

/** Gives every action form in the console its step-up prompt. */
export function StepUpProvider({ children }: { children: React.ReactNode }) {
  return (
    <StepUpContext.Provider value={(next) => <InlinePrompt next={next} />}>
      {children}
    </StepUpContext.Provider>
  );
}

/**
 * On a page with high-risk acts: whether the staff member has confirmed it's them recently, until
 * when, and the button (or the link to set up a passkey) when not. The server decides; this only
 * saves a refused press on a busy day.
 */
export function StepUpPanel({
  fresh,
  until,
  hasPasskey,
  what,
}: {
  fresh: boolean;
  until: string | null;
  hasPasskey: boolean;
  what: string;
}) {
  if (fresh && until)
    return (
      <p
        role="status"
        aria-label="Step-up"
        className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
      >
        You confirmed it&apos;s you. Until {timeFormat.format(new Date(until))} you can {what}{" "}
        without confirming again.
      </p>
    );
  return (
    <section
      aria-label="Step-up"
      className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
    >
      <p>
        {hasPasskey ? (
          <>Before you {what}, confirm it&apos;s you with your passkey.</>
        ) : (
          <>
            To {what} you need a staff passkey. <EnrolLink /> first.
          </>
        )}
      </p>
      {hasPasskey ? <ConfirmItsYouButton variant="secondary" /> : null}
    </section>
  );
}
