-- Privileges of the application role "console_app" (docs/security-requirements.md H3). Run as the owner of the
-- tables (the role that runs migrations) after every migration; it is idempotent. The role itself
-- is created once by an administrator (the embedded setup does it for you):
--   CREATE ROLE console_app LOGIN PASSWORD '…' NOSUPERUSER NOCREATEDB NOCREATEROLE;
GRANT USAGE ON SCHEMA public TO console_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO console_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO console_app;
-- The audit trail: append and read only.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditEvent" FROM console_app;
-- The actor names the trail holds (docs/decisions/047): added by the audit table's own trigger (as
-- the inserting role), read by the actor search, never changed or removed.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditActorName" FROM console_app;
REVOKE EXECUTE ON FUNCTION "audit_event_actor_name"() FROM PUBLIC;
-- Migration bookkeeping is not the application's business, except which migrations have finished:
-- GET /readyz compares them with the build's (docs/decisions/041). Names and times only, read only.
REVOKE ALL ON "_prisma_migrations" FROM console_app;
GRANT SELECT (migration_name, finished_at, rolled_back_at) ON "_prisma_migrations" TO console_app;
-- The Merkle tree's tiles, the checkpoints and the witnesses' cosignatures: append and read only.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditTile" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditCheckpoint" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditCosignature" FROM console_app;
-- Call notes are append-only: a note is never edited or removed.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "CaseNote" FROM console_app;
-- Cases are closed, never deleted: a deleted case would take its history (and its notes) with it.
REVOKE DELETE, TRUNCATE ON "RecoveryCase" FROM console_app;
-- A ready desk: a practice call's moves, the scenario versions, the numbers heard on calls and a
-- record's change history are append-only; a certification is never deleted (it expires).
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "PracticeMove" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "PracticeScenarioVersion" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "CaseContact" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "WorkforceRecordChange" FROM console_app;
REVOKE DELETE, TRUNCATE ON "StaffCertification" FROM console_app;
REVOKE DELETE, TRUNCATE ON "PracticeRun" FROM console_app;
REVOKE DELETE, TRUNCATE ON "FraudSignal" FROM console_app;
REVOKE DELETE, TRUNCATE ON "FraudSignalCase" FROM console_app;
-- ITSM webhooks (docs/decisions/035): an endpoint is disabled, never deleted, and its delivery log
-- is append-only: what an attempt was never changes. A reviewer's "send again" of an attempt given
-- up on is written beside it, in the two columns that say when it was asked for and sent.
REVOKE DELETE, TRUNCATE ON "WebhookEndpoint" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "WebhookDelivery" FROM console_app;
GRANT UPDATE ("resendRequestedAt", "resentAt") ON "WebhookDelivery" TO console_app;
-- Rollout waves and nudge campaigns (docs/decisions/038): a wave is retired, never deleted; a
-- campaign is stopped or completes, never deleted; a campaign's mails are kept (only the time the
-- person was found covered is written later).
REVOKE DELETE, TRUNCATE ON "RolloutWave" FROM console_app;
REVOKE DELETE, TRUNCATE ON "NudgeCampaign" FROM console_app;
REVOKE DELETE, TRUNCATE ON "NudgeSend" FROM console_app;
-- Recovery codes (docs/decisions/037): a set is replaced or voided, a code used, never deleted.
REVOKE DELETE, TRUNCATE ON "RecoveryCodeSet" FROM console_app;
REVOKE DELETE, TRUNCATE ON "RecoveryCode" FROM console_app;
-- Security keys and break-glass accounts (docs/decisions/039): a key is retired, never deleted; each
-- decider's approval of a break-glass recovery is append-only.
REVOKE DELETE, TRUNCATE ON "SecurityKey" FROM console_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "ApprovalDecision" FROM console_app;
