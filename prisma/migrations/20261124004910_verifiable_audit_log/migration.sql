-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "appTime" TIMESTAMPTZ(3),
ADD COLUMN     "entry" BYTEA,
ADD COLUMN     "eventId" UUID,
ADD COLUMN     "keyId" TEXT,
ADD COLUMN     "position" BIGINT,
ADD COLUMN     "signature" BYTEA;

-- CreateTable
CREATE TABLE "AuditTile" (
    "level" INTEGER NOT NULL,
    "index" BIGINT NOT NULL,
    "width" INTEGER NOT NULL,
    "hashes" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditTile_pkey" PRIMARY KEY ("level","index","width")
);

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "size" BIGINT NOT NULL,
    "rootHash" BYTEA NOT NULL,
    "note" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("size")
);

-- CreateTable
CREATE TABLE "AuditCosignature" (
    "size" BIGINT NOT NULL,
    "witness" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCosignature_pkey" PRIMARY KEY ("size","witness")
);

-- CreateTable
CREATE TABLE "AuditVerification" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "requestedBy" UUID,
    "requestedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(6),
    "finishedAt" TIMESTAMPTZ(6),
    "checked" BIGINT NOT NULL DEFAULT 0,
    "total" BIGINT NOT NULL DEFAULT 0,
    "ok" BOOLEAN,
    "size" BIGINT,
    "problems" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "AuditVerification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SiemCursor" (
    "sink" TEXT NOT NULL,
    "position" BIGINT NOT NULL DEFAULT -1,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "lastSuccessAt" TIMESTAMPTZ(6),
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "SiemCursor_pkey" PRIMARY KEY ("sink")
);

-- CreateTable
CREATE TABLE "SiemDeadLetter" (
    "id" UUID NOT NULL,
    "sink" TEXT NOT NULL,
    "fromPosition" BIGINT NOT NULL,
    "toPosition" BIGINT NOT NULL,
    "error" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayedAt" TIMESTAMPTZ(6),

    CONSTRAINT "SiemDeadLetter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditCosignature_witness_size_idx" ON "AuditCosignature"("witness", "size");

-- CreateIndex
CREATE INDEX "AuditVerification_requestedAt_idx" ON "AuditVerification"("requestedAt");

-- CreateIndex
CREATE INDEX "SiemDeadLetter_sink_createdAt_idx" ON "SiemDeadLetter"("sink", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_position_key" ON "AuditEvent"("position");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_eventId_key" ON "AuditEvent"("eventId");

-- AddForeignKey
ALTER TABLE "AuditCosignature" ADD CONSTRAINT "AuditCosignature_size_fkey" FOREIGN KEY ("size") REFERENCES "AuditCheckpoint"("size") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: the tree's tiles, the checkpoints and the cosignatures are evidence like the
-- events themselves: append-only for everyone, the owner included (the same trigger function
-- as AuditEvent), and the application role gets no UPDATE or DELETE on them (prisma/app-role.sql).
CREATE TRIGGER "AuditTile_no_update_or_delete" BEFORE UPDATE OR DELETE ON "AuditTile"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_is_append_only"();
CREATE TRIGGER "AuditTile_no_truncate" BEFORE TRUNCATE ON "AuditTile"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_is_append_only"();
ALTER TABLE "AuditTile" ENABLE ALWAYS TRIGGER "AuditTile_no_update_or_delete";
ALTER TABLE "AuditTile" ENABLE ALWAYS TRIGGER "AuditTile_no_truncate";
CREATE TRIGGER "AuditCheckpoint_no_update_or_delete" BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_is_append_only"();
CREATE TRIGGER "AuditCheckpoint_no_truncate" BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_is_append_only"();
ALTER TABLE "AuditCheckpoint" ENABLE ALWAYS TRIGGER "AuditCheckpoint_no_update_or_delete";
ALTER TABLE "AuditCheckpoint" ENABLE ALWAYS TRIGGER "AuditCheckpoint_no_truncate";
CREATE TRIGGER "AuditCosignature_no_update_or_delete" BEFORE UPDATE OR DELETE ON "AuditCosignature"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_is_append_only"();
CREATE TRIGGER "AuditCosignature_no_truncate" BEFORE TRUNCATE ON "AuditCosignature"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_is_append_only"();
ALTER TABLE "AuditCosignature" ENABLE ALWAYS TRIGGER "AuditCosignature_no_update_or_delete";
ALTER TABLE "AuditCosignature" ENABLE ALWAYS TRIGGER "AuditCosignature_no_truncate";

-- A v2 row names its position, id, time, key, entry and signature; positions start at 0.
-- (Defence in depth: the verifier names rows that break these rules anyway.)
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_v2_complete" CHECK (
  "formatVersion" <> 2 OR ("position" IS NOT NULL AND "eventId" IS NOT NULL AND "appTime" IS NOT NULL
    AND "keyId" IS NOT NULL AND "entry" IS NOT NULL AND "signature" IS NOT NULL)
);
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_position_from_zero" CHECK ("position" >= 0);
