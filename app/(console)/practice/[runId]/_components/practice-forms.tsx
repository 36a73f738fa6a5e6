"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import { practiceAskStepAction, practiceFinishAction } from "../actions";
import { startPracticeAction } from "../../actions";

/** "Ask the caller / try this step": what happens is shown before the step is recorded. */
export function AskStepForm({
  runId,
  kind,
  title,
  asked,
}: {
  runId: string;
  kind: string;
  title: string;
  asked: boolean;
}) {
  return (
    <ActionForm action={practiceAskStepAction} label={`Try: ${title}`} className="mt-3">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={runId} />
          <input type="hidden" name="kind" value={kind} />
          <Button type="submit" variant="secondary" disabled={pending}>
            {asked ? "Try this step again" : "Try this step with the caller"}
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** Ends the practice call: the debrief follows. */
export function FinishPracticeForm({ runId }: { runId: string }) {
  return (
    <ActionForm action={practiceFinishAction} label="Finish the practice call">
      {(pending) => (
        <>
          <input type="hidden" name="caseId" value={runId} />
          <Button type="submit" disabled={pending}>
            Finish and see the debrief
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function StartPracticeForm({ scenarioKey, title }: { scenarioKey: string; title: string }) {
  return (
    <ActionForm action={startPracticeAction} label={`Start practice: ${title}`}>
      {(pending) => (
        <>
          <input type="hidden" name="scenarioKey" value={scenarioKey} />
          <Button type="submit" disabled={pending} aria-label={`Start “${title}”`}>
            Start
          </Button>
        </>
      )}
    </ActionForm>
  );
}
