-- AlterEnum
ALTER TYPE "EmploymentStatus" ADD VALUE 'SUSPENDED';

-- AlterTable
ALTER TABLE "RecoveryCase" ADD COLUMN     "team" TEXT;

-- AlterTable
ALTER TABLE "StepLink" ADD COLUMN     "voidReason" TEXT;

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "formatVersion" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "RecoveryHold" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "caseId" UUID,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clearedAt" TIMESTAMP(3),
    "clearedById" UUID,
    "clearNote" TEXT,

    CONSTRAINT "RecoveryHold_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecoveryHold_userId_clearedAt_idx" ON "RecoveryHold"("userId", "clearedAt");

-- CreateIndex
CREATE INDEX "RecoveryCase_team_status_idx" ON "RecoveryCase"("team", "status");

-- AddForeignKey
ALTER TABLE "RecoveryHold" ADD CONSTRAINT "RecoveryHold_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryHold" ADD CONSTRAINT "RecoveryHold_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE SET NULL ON UPDATE CASCADE;


