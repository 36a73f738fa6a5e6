"use client";

import { useMemo, useState } from "react";
import { OutcomeMessage, useOutcomeFocus } from "@/components/outcome";
import { useHydrated } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { makeRecoveryCodesAction } from "./recovery-code-actions";

/**
 * Saved recovery codes on /account (docs/decisions/037), for someone signed in with a passkey:
 * whether they have codes, and a button that makes a new set, shown here once. The server
 * decides (tier, fresh verification); this only asks.
 */
export function RecoveryCodes({
  allowed,
  summary,
}: {
  allowed: boolean;
  summary: { left: number; total: number; createdAt: string } | null;
}) {
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const outcome = useMemo(
    () =>
      refusal !== null
        ? { ok: false, text: refusal }
        : codes !== null
          ? {
              ok: true,
              text: "Your new recovery codes are below. Save them now: they will not be shown again. Your earlier codes no longer work.",
            }
          : null,
    [refusal, codes],
  );
  const { root, message } = useOutcomeFocus<HTMLElement>(outcome);
  return (
    <section ref={root} aria-labelledby="recovery-codes" className="space-y-2">
      <h2 id="recovery-codes" className="font-semibold">
        Recovery codes
      </h2>
      {!allowed ? (
        <p className="text-sm text-slate-600">
          Your role does not use recovery codes: if you lose your passkeys, the service desk
          recovers your account.
        </p>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            {summary
              ? `You have ${summary.left} of ${summary.total} recovery codes left, made on ${new Date(summary.createdAt).toLocaleDateString("en-GB", { timeZone: "UTC" })}.`
              : "You have no recovery codes."}{" "}
            If you lose every passkey, one code lets you set up a new one without calling the
            service desk. Keep them somewhere safe, away from your devices.
          </p>
          {outcome ? <OutcomeMessage outcome={outcome} ref={message} className="" /> : null}
          {codes ? (
            <ol
              aria-label="Your new recovery codes"
              className="grid grid-cols-1 gap-1 rounded-md border border-slate-200 bg-white p-3 font-mono text-sm sm:grid-cols-2"
            >
              {codes.map((code) => (
                <li key={code}>{code}</li>
              ))}
            </ol>
          ) : null}
          <Button
            type="button"
            variant="secondary"
            disabled={!hydrated || pending}
            onClick={async () => {
              setPending(true);
              try {
                const result = await makeRecoveryCodesAction();
                if (result.ok) {
                  setRefusal(null);
                  setCodes(result.value.codes);
                } else {
                  setCodes(null);
                  setRefusal(result.message);
                }
              } finally {
                setPending(false);
              }
            }}
          >
            {summary ? "Make new recovery codes" : "Make recovery codes"}
          </Button>
        </>
      )}
    </section>
  );
}
