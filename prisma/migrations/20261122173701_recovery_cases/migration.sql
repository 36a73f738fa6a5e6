-- AlterTable
ALTER TABLE "RecoveryCase" ADD COLUMN     "closeReason" TEXT,
ADD COLUMN     "needsApproval" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "repeatCall" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "caseId" UUID,
ADD COLUMN     "subjectUserId" UUID;

-- CreateTable
CREATE TABLE "StepLink" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "kind" "StepKind" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "sentTo" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StepLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepudiationLink" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepudiationLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkforceSession" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "tapId" UUID,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkforceSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebAuthnChallenge" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "challenge" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "userId" UUID,
    "sessionId" UUID,
    "stepLinkId" UUID,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebAuthnChallenge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DemoMailboxMessage" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DemoMailboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "StepLink_tokenHash_key" ON "StepLink"("tokenHash");

-- CreateIndex
CREATE INDEX "StepLink_caseId_idx" ON "StepLink"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "RepudiationLink_tokenHash_key" ON "RepudiationLink"("tokenHash");

-- CreateIndex
CREATE INDEX "RepudiationLink_caseId_idx" ON "RepudiationLink"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "WorkforceSession_tokenHash_key" ON "WorkforceSession"("tokenHash");

-- CreateIndex
CREATE INDEX "WorkforceSession_userId_idx" ON "WorkforceSession"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "WebAuthnChallenge_challenge_key" ON "WebAuthnChallenge"("challenge");

-- CreateIndex
CREATE INDEX "DemoMailboxMessage_toAddress_sentAt_idx" ON "DemoMailboxMessage"("toAddress", "sentAt");

-- AddForeignKey
ALTER TABLE "StepLink" ADD CONSTRAINT "StepLink_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepudiationLink" ADD CONSTRAINT "RepudiationLink_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkforceSession" ADD CONSTRAINT "WorkforceSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: at most one usable temporary access pass per user at a time (issuing voids the
-- previous one in the same transaction; this makes a race between two issuances fail loudly).
CREATE UNIQUE INDEX "TemporaryAccessPass_one_active_per_user" ON "TemporaryAccessPass" ("userId")
  WHERE "usedAt" IS NULL AND "voidedAt" IS NULL;
