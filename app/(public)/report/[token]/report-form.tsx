"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { reportNotMeAction } from "./actions";

export function ReportForm({
  token,
  kind,
}: {
  token: string;
  kind: "case" | "passkey" | "change";
}) {
  return (
    <ActionForm action={reportNotMeAction} label="Report that this wasn't you" className="mt-4">
      {(pending) => (
        <>
          <input type="hidden" name="token" value={token} />
          <Button type="submit" disabled={pending} className="bg-rose-700 hover:bg-rose-800">
            {kind === "case"
              ? "This wasn’t me: cancel it"
              : kind === "change"
                ? "This wasn’t me: sign me out and alert security"
                : "This wasn’t me: remove that passkey"}
          </Button>
        </>
      )}
    </ActionForm>
  );
}
