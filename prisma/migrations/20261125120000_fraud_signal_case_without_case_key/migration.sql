-- A fraud signal names cases of several people; a key to RecoveryCase would make its insert wait on
-- their unit of work (KEY SHARE against its row lock) while that waits on the signal: docs/decisions/031.
-- DropForeignKey
ALTER TABLE "FraudSignalCase" DROP CONSTRAINT "FraudSignalCase_caseId_fkey";

