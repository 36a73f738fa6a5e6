"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { answerConfirmationAction } from "./actions";

export function AnswerForm({ token }: { token: string }) {
  return (
    <ActionForm action={answerConfirmationAction} label="Your answer" className="mt-4">
      {(pending) => (
        <>
          <input type="hidden" name="token" value={token} />
          <div className="flex gap-3">
            <Button type="submit" name="answer" value="confirm" disabled={pending}>
              Yes, this is them
            </Button>
            <Button type="submit" name="answer" value="deny" variant="secondary" disabled={pending}>
              No, deny it
            </Button>
          </div>
        </>
      )}
    </ActionForm>
  );
}
