-- AlterTable
ALTER TABLE "StepLink" ADD COLUMN     "answer" "StepOutcome";


-- Hand-written: a link answers PASSED (confirmed) or FAILED (denied), and only once it is used.
ALTER TABLE "StepLink" ADD CONSTRAINT "StepLink_answer_check"
  CHECK ("answer" IS NULL OR ("answer" IN ('PASSED', 'FAILED') AND "usedAt" IS NOT NULL));

-- Hand-written: links answered before the answer was kept take it from the step they completed,
-- recorded in the same transaction (the same time) as the link was used. A step reopened and
-- answered again since has another time: its earlier link stays without an answer.
UPDATE "StepLink" AS link SET "answer" = step."outcome"
FROM "ChecklistStep" AS step
JOIN "ChecklistRun" AS run ON run.id = step."runId"
WHERE run."caseId" = link."caseId"
  AND step."kind" = link."kind"
  AND link."usedAt" IS NOT NULL
  AND step."recordedAt" = link."usedAt"
  AND step."outcome" IN ('PASSED', 'FAILED');
