-- CreateTable
CREATE TABLE "RolloutWave" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "departments" TEXT[],
    "tiers" "RiskTier"[],
    "startsOn" DATE NOT NULL,
    "windowEndsOn" DATE NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,
    "retiredAt" TIMESTAMPTZ(6),

    CONSTRAINT "RolloutWave_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NudgeCampaign" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "waveId" UUID,
    "tier" "RiskTier",
    "startedById" UUID NOT NULL,
    "startedByName" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'running',
    "ratePerHour" INTEGER NOT NULL,
    "resendDays" INTEGER NOT NULL,
    "atRiskAtStart" INTEGER NOT NULL,
    "endedAt" TIMESTAMPTZ(6),
    "lastRunAt" TIMESTAMPTZ(6),

    CONSTRAINT "NudgeCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NudgeSend" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "campaignId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "sentAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "coveredAt" TIMESTAMPTZ(6),

    CONSTRAINT "NudgeSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RolloutWave_startsOn_createdAt_id_idx" ON "RolloutWave"("startsOn", "createdAt", "id");

-- CreateIndex
CREATE INDEX "NudgeCampaign_status_idx" ON "NudgeCampaign"("status");

-- CreateIndex
CREATE INDEX "NudgeSend_campaignId_sentAt_idx" ON "NudgeSend"("campaignId", "sentAt");

-- CreateIndex
CREATE INDEX "NudgeSend_userId_sentAt_idx" ON "NudgeSend"("userId", "sentAt");

-- AddForeignKey
ALTER TABLE "NudgeCampaign" ADD CONSTRAINT "NudgeCampaign_waveId_fkey" FOREIGN KEY ("waveId") REFERENCES "RolloutWave"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NudgeSend" ADD CONSTRAINT "NudgeSend_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "NudgeCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written (docs/decisions/038): a campaign's scope is a wave or a risk tier, never both nor
-- neither; its status is one of the closed list; rates and days stay within the form's bounds.
ALTER TABLE "NudgeCampaign" ADD CONSTRAINT "NudgeCampaign_scope_check"
  CHECK (("waveId" IS NULL) <> ("tier" IS NULL));
ALTER TABLE "NudgeCampaign" ADD CONSTRAINT "NudgeCampaign_status_check"
  CHECK ("status" IN ('running', 'stopped', 'completed'));
ALTER TABLE "NudgeCampaign" ADD CONSTRAINT "NudgeCampaign_rate_check"
  CHECK ("ratePerHour" BETWEEN 1 AND 1000 AND "resendDays" BETWEEN 1 AND 90);
ALTER TABLE "RolloutWave" ADD CONSTRAINT "RolloutWave_window_check"
  CHECK ("windowEndsOn" >= "startsOn");
