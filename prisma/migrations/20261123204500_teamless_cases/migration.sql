-- Teams became a boundary (docs/decisions/013): a case is worked only by its team. Cases opened
-- before that have no team. They belong to the team of the agent who opened them; an open case
-- whose agent had no team either (SSO sign-ins carried no team before) would be out of every
-- team's reach while what it issued still worked, so it is closed and what it issued is voided.
UPDATE "RecoveryCase" c SET "team" = s."team" FROM "Staff" s WHERE c."agentId" = s."id" AND c."team" IS NULL;

CREATE TEMP TABLE "_teamless_open" ON COMMIT DROP AS
  SELECT id FROM "RecoveryCase" WHERE "team" IS NULL AND "status" NOT IN ('CLOSED', 'REVOKED');

DELETE FROM "WorkforceSession" WHERE "method" = 'tap'
  AND "tapId" IN (SELECT id FROM "TemporaryAccessPass" WHERE "caseId" IN (SELECT id FROM "_teamless_open"));
UPDATE "TemporaryAccessPass" SET "voidedAt" = now(), "voidReason" = 'case closed at upgrade: no team'
  WHERE "caseId" IN (SELECT id FROM "_teamless_open") AND "usedAt" IS NULL AND "voidedAt" IS NULL;
UPDATE "EnrolmentLink" SET "voidedAt" = now(), "voidReason" = 'case closed at upgrade: no team'
  WHERE "caseId" IN (SELECT id FROM "_teamless_open") AND "usedAt" IS NULL AND "voidedAt" IS NULL;
UPDATE "StepLink" SET "voidedAt" = now(), "voidReason" = 'case closed at upgrade: no team'
  WHERE "caseId" IN (SELECT id FROM "_teamless_open") AND "usedAt" IS NULL AND "voidedAt" IS NULL;
UPDATE "Approval" SET "status" = 'VOIDED', "reason" = 'voided: case closed at upgrade: no team'
  WHERE "caseId" IN (SELECT id FROM "_teamless_open") AND "status" = 'PENDING';
UPDATE "RecoveryCase" SET "status" = 'CLOSED', "closedAt" = now(), "closeReason" = 'closed at upgrade: no team could work it'
  WHERE id IN (SELECT id FROM "_teamless_open");
