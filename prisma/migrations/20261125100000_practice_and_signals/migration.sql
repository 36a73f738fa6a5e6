-- CreateEnum
CREATE TYPE "FraudSignalStatus" AS ENUM ('OPEN', 'REVIEWED', 'DISMISSED');

-- CreateTable
CREATE TABLE "WorkforceRecordChange" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "changedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkforceRecordChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseContact" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "normalized" TEXT NOT NULL,
    "recordedById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseContact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FraudSignal" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "rules" TEXT[],
    "keys" TEXT[],
    "summary" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '[]',
    "effect" TEXT NOT NULL,
    "status" "FraudSignalStatus" NOT NULL DEFAULT 'OPEN',
    "raisedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,
    "reviewedById" UUID,
    "reviewedAt" TIMESTAMPTZ(6),
    "reviewNote" TEXT,

    CONSTRAINT "FraudSignal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FraudSignalCase" (
    "signalId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "effect" TEXT NOT NULL,
    "appliedAt" TIMESTAMPTZ(6),
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FraudSignalCase_pkey" PRIMARY KEY ("signalId","caseId")
);

-- CreateTable
CREATE TABLE "PracticeScenarioVersion" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "authorId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PracticeScenarioVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PracticeRun" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "staffId" UUID NOT NULL,
    "team" TEXT,
    "scenarioKey" TEXT NOT NULL,
    "scenarioVersion" INTEGER NOT NULL,
    "scenario" JSONB NOT NULL,
    "scenarioHash" TEXT NOT NULL,
    "impostor" BOOLEAN NOT NULL,
    "policyVersion" INTEGER NOT NULL,
    "moveCount" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(6),
    "score" INTEGER,
    "safe" BOOLEAN,
    "passed" BOOLEAN,
    "caughtFlags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "missedFlags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "debrief" JSONB,

    CONSTRAINT "PracticeRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PracticeMove" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "runId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "move" JSONB NOT NULL,
    "result" JSONB NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PracticeMove_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffCertification" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "staffId" UUID NOT NULL,
    "certifiedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(6) NOT NULL,
    "policyVersion" INTEGER NOT NULL,
    "runIds" UUID[],
    "basis" TEXT NOT NULL,
    "reminderSentAt" TIMESTAMPTZ(6),

    CONSTRAINT "StaffCertification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkforceRecordChange_userId_changedAt_idx" ON "WorkforceRecordChange"("userId", "changedAt");

-- CreateIndex
CREATE INDEX "CaseContact_normalized_createdAt_idx" ON "CaseContact"("normalized", "createdAt");

-- CreateIndex
CREATE INDEX "CaseContact_caseId_idx" ON "CaseContact"("caseId");

-- CreateIndex
CREATE INDEX "FraudSignal_status_raisedAt_idx" ON "FraudSignal"("status", "raisedAt");

-- CreateIndex
CREATE INDEX "FraudSignal_raisedAt_idx" ON "FraudSignal"("raisedAt");

-- CreateIndex
CREATE INDEX "FraudSignalCase_caseId_idx" ON "FraudSignalCase"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "PracticeScenarioVersion_key_version_key" ON "PracticeScenarioVersion"("key", "version");

-- CreateIndex
CREATE INDEX "PracticeRun_staffId_startedAt_idx" ON "PracticeRun"("staffId", "startedAt");

-- CreateIndex
CREATE INDEX "PracticeRun_finishedAt_idx" ON "PracticeRun"("finishedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PracticeMove_runId_seq_key" ON "PracticeMove"("runId", "seq");

-- CreateIndex
CREATE INDEX "StaffCertification_staffId_expiresAt_idx" ON "StaffCertification"("staffId", "expiresAt");

-- AddForeignKey
ALTER TABLE "WorkforceRecordChange" ADD CONSTRAINT "WorkforceRecordChange_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "CaseContact" ADD CONSTRAINT "CaseContact_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "FraudSignalCase" ADD CONSTRAINT "FraudSignalCase_signalId_fkey" FOREIGN KEY ("signalId") REFERENCES "FraudSignal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FraudSignalCase" ADD CONSTRAINT "FraudSignalCase_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "PracticeScenarioVersion" ADD CONSTRAINT "PracticeScenarioVersion_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PracticeRun" ADD CONSTRAINT "PracticeRun_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PracticeMove" ADD CONSTRAINT "PracticeMove_runId_fkey" FOREIGN KEY ("runId") REFERENCES "PracticeRun"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StaffCertification" ADD CONSTRAINT "StaffCertification_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: closed lists and bounds the schema cannot express.
ALTER TABLE "WorkforceRecordChange" ADD CONSTRAINT "WorkforceRecordChange_field_check"
  CHECK ("field" IN ('PHONE', 'MANAGER', 'EMAIL'));
ALTER TABLE "CaseContact" ADD CONSTRAINT "CaseContact_kind_check"
  CHECK ("kind" IN ('CALLER_ID', 'OFFERED_PHONE', 'OFFERED_EMAIL') AND length("value") <= 320 AND length("normalized") <= 320);
ALTER TABLE "FraudSignal" ADD CONSTRAINT "FraudSignal_effect_check"
  CHECK ("effect" IN ('alert', 'escalate', 'stop') AND cardinality("rules") >= 1);
ALTER TABLE "FraudSignalCase" ADD CONSTRAINT "FraudSignalCase_effect_check"
  CHECK ("effect" IN ('alert', 'escalate', 'stop'));
ALTER TABLE "PracticeRun" ADD CONSTRAINT "PracticeRun_score_range"
  CHECK ("score" IS NULL OR ("score" BETWEEN 0 AND 100));
ALTER TABLE "StaffCertification" ADD CONSTRAINT "StaffCertification_expires_after_start"
  CHECK ("expiresAt" > "certifiedAt");
