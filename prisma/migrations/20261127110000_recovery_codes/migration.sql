-- AlterEnum
ALTER TYPE "CaseChannel" ADD VALUE 'SELF_SERVICE';

-- AlterTable
ALTER TABLE "RecoveryCase" ALTER COLUMN "agentId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "WorkforceSession" ADD COLUMN     "caseId" UUID;

-- CreateTable
CREATE TABLE "RecoveryCodeSet" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replacedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),
    "voidReason" TEXT,

    CONSTRAINT "RecoveryCodeSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryCode" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "setId" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "usedAt" TIMESTAMP(3),
    "caseId" UUID,

    CONSTRAINT "RecoveryCode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecoveryCodeSet_userId_idx" ON "RecoveryCodeSet"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryCode_codeHash_key" ON "RecoveryCode"("codeHash");

-- CreateIndex
CREATE INDEX "RecoveryCode_setId_idx" ON "RecoveryCode"("setId");

-- AddForeignKey
ALTER TABLE "RecoveryCodeSet" ADD CONSTRAINT "RecoveryCodeSet_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryCode" ADD CONSTRAINT "RecoveryCode_setId_fkey" FOREIGN KEY ("setId") REFERENCES "RecoveryCodeSet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: only a self-service case (a recovery code) has no agent.
ALTER TABLE "RecoveryCase" ADD CONSTRAINT "RecoveryCase_agent_or_self_service"
  CHECK ("agentId" IS NOT NULL OR "channel"::text = 'SELF_SERVICE');
-- At most one live set of recovery codes per person (a new set replaces the old in one transaction).
CREATE UNIQUE INDEX "RecoveryCodeSet_one_live_per_user" ON "RecoveryCodeSet"("userId")
  WHERE "replacedAt" IS NULL AND "voidedAt" IS NULL;
