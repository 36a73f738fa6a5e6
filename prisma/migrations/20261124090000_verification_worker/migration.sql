-- Full verifications queued from the reviewer page and run by the verification worker
-- (npm run audit:worker): a heartbeat tells a running one from one whose worker stopped.
ALTER TABLE "AuditVerification" ADD COLUMN "heartbeatAt" TIMESTAMPTZ(6);

CREATE INDEX "AuditVerification_kind_finishedAt_idx" ON "AuditVerification"("kind", "finishedAt");
