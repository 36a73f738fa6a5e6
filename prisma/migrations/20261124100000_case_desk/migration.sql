-- AlterTable
ALTER TABLE "RecoveryCase" ADD COLUMN     "ownerId" UUID,
ADD COLUMN     "ticketRef" TEXT;

-- CreateTable
CREATE TABLE "CaseNote" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "authorId" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseNote_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaseNote_caseId_createdAt_idx" ON "CaseNote"("caseId", "createdAt");

-- CreateIndex
CREATE INDEX "RecoveryCase_ownerId_status_idx" ON "RecoveryCase"("ownerId", "status");

-- CreateIndex
CREATE INDEX "RecoveryCase_ticketRef_idx" ON "RecoveryCase"("ticketRef");

-- AddForeignKey
ALTER TABLE "RecoveryCase" ADD CONSTRAINT "RecoveryCase_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseNote" ADD CONSTRAINT "CaseNote_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseNote" ADD CONSTRAINT "CaseNote_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: a case opened before owners existed is owned by the agent who opened it.
UPDATE "RecoveryCase" SET "ownerId" = "agentId" WHERE "ownerId" IS NULL;

-- Hand-written: a call note is one to 2,000 characters (lib/domain/case-notes.ts says the same).
ALTER TABLE "CaseNote" ADD CONSTRAINT "CaseNote_body_length" CHECK (char_length("body") BETWEEN 1 AND 2000);
-- Hand-written: a ticket reference is short (the normalised forms are under 40 characters).
ALTER TABLE "RecoveryCase" ADD CONSTRAINT "RecoveryCase_ticketRef_length" CHECK (char_length("ticketRef") BETWEEN 1 AND 40);
