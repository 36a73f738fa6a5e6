-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('AGENT', 'SUPERVISOR', 'SECURITY');

-- CreateEnum
CREATE TYPE "RiskTier" AS ENUM ('STANDARD', 'HIGH_RISK', 'PRIVILEGED', 'CONTRACTOR', 'FRONTLINE');

-- CreateEnum
CREATE TYPE "EmploymentStatus" AS ENUM ('ACTIVE', 'LEAVING', 'LEFT');

-- CreateEnum
CREATE TYPE "PasskeyStatus" AS ENUM ('ACTIVE', 'REVOKED');

-- CreateEnum
CREATE TYPE "RevocationReason" AS ENUM ('LOST', 'STOLEN', 'LEAVER', 'SUSPECTED_COMPROMISE');

-- CreateEnum
CREATE TYPE "CaseReason" AS ENUM ('LOST_DEVICE', 'REPLACED_DEVICE', 'STOLEN_DEVICE', 'SUSPECTED_COMPROMISE', 'LOCKED_OUT');

-- CreateEnum
CREATE TYPE "CaseChannel" AS ENUM ('PHONE', 'VIDEO', 'CHAT', 'WALK_IN');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('OPEN', 'VERIFIED', 'PENDING_APPROVAL', 'APPROVED', 'FACTOR_ISSUED', 'REENROLLED', 'REVOKED', 'CLOSED');

-- CreateEnum
CREATE TYPE "StepKind" AS ENUM ('CALLBACK', 'MANAGER_CONFIRMATION', 'PASSKEY_PROOF', 'ID_DOCUMENT', 'EMPLOYEE_RECORD');

-- CreateEnum
CREATE TYPE "StepOutcome" AS ENUM ('PENDING', 'PASSED', 'FAILED', 'UNABLE');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'USED', 'VOIDED');

-- CreateEnum
CREATE TYPE "RevocationScope" AS ENUM ('ONE', 'ALL');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('ALLOWED', 'REFUSED');

-- CreateTable
CREATE TABLE "Staff" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailVerified" TIMESTAMP(3),
    "role" "StaffRole" NOT NULL,
    "team" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffAccount" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "staffId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffSession" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tokenHash" TEXT NOT NULL,
    "staffId" UUID NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkforceUser" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "employeeId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "department" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "managerId" UUID,
    "phoneOfRecord" TEXT NOT NULL,
    "riskTier" "RiskTier" NOT NULL,
    "status" "EmploymentStatus" NOT NULL DEFAULT 'ACTIVE',
    "leavingOn" DATE,
    "webauthnUserId" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkforceUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkforceEmail" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "isPrimary" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkforceEmail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Passkey" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "credentialId" TEXT NOT NULL,
    "publicKey" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[],
    "aaguid" TEXT NOT NULL,
    "modelName" TEXT,
    "backedUp" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "status" "PasskeyStatus" NOT NULL DEFAULT 'ACTIVE',
    "revokedAt" TIMESTAMP(3),
    "revokedReason" "RevocationReason",
    "revokedById" UUID,

    CONSTRAINT "Passkey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryCase" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "reason" "CaseReason" NOT NULL,
    "channel" "CaseChannel" NOT NULL,
    "status" "CaseStatus" NOT NULL DEFAULT 'OPEN',
    "callerClaim" TEXT NOT NULL DEFAULT '',
    "riskTier" "RiskTier" NOT NULL,
    "policyVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "RecoveryCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChecklistRun" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "scriptKey" TEXT NOT NULL,
    "policyVersion" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "ChecklistRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChecklistStep" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "runId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" "StepKind" NOT NULL,
    "outcome" "StepOutcome" NOT NULL DEFAULT 'PENDING',
    "note" TEXT NOT NULL DEFAULT '',
    "evidence" JSONB,
    "recordedById" UUID,
    "recordedAt" TIMESTAMP(3),

    CONSTRAINT "ChecklistStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RedFlag" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "raisedById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedFlag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TemporaryAccessPass" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "oneTime" BOOLEAN NOT NULL DEFAULT true,
    "maxFailures" INTEGER NOT NULL,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),
    "voidReason" TEXT,
    "issuedById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TemporaryAccessPass_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnrolmentLink" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),
    "voidReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnrolmentLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "caseId" UUID NOT NULL,
    "requestedById" UUID NOT NULL,
    "decidedById" UUID,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'PENDING',
    "snapshot" JSONB NOT NULL,
    "snapshotHash" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "expiresAt" TIMESTAMP(3),
    "decidedAt" TIMESTAMP(3),
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Revocation" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "caseId" UUID,
    "scope" "RevocationScope" NOT NULL,
    "passkeyId" UUID,
    "reason" "RevocationReason" NOT NULL,
    "actorId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Revocation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "action" TEXT NOT NULL,
    "outcome" "AuditOutcome" NOT NULL,
    "reason" TEXT,
    "actorType" TEXT NOT NULL,
    "actorId" UUID,
    "actorName" TEXT NOT NULL,
    "actorRole" TEXT,
    "targetType" TEXT,
    "targetId" TEXT,
    "subjectUserId" UUID,
    "caseId" UUID,
    "requestId" TEXT,
    "ip" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Staff_email_key" ON "Staff"("email");

-- CreateIndex
CREATE INDEX "StaffAccount_staffId_idx" ON "StaffAccount"("staffId");

-- CreateIndex
CREATE UNIQUE INDEX "StaffAccount_provider_providerAccountId_key" ON "StaffAccount"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "StaffSession_tokenHash_key" ON "StaffSession"("tokenHash");

-- CreateIndex
CREATE INDEX "StaffSession_staffId_idx" ON "StaffSession"("staffId");

-- CreateIndex
CREATE UNIQUE INDEX "WorkforceUser_employeeId_key" ON "WorkforceUser"("employeeId");

-- CreateIndex
CREATE UNIQUE INDEX "WorkforceUser_webauthnUserId_key" ON "WorkforceUser"("webauthnUserId");

-- CreateIndex
CREATE INDEX "WorkforceUser_name_trgm_idx" ON "WorkforceUser" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "WorkforceUser_managerId_idx" ON "WorkforceUser"("managerId");

-- CreateIndex
CREATE INDEX "WorkforceUser_department_idx" ON "WorkforceUser"("department");

-- CreateIndex
CREATE UNIQUE INDEX "WorkforceEmail_address_key" ON "WorkforceEmail"("address");

-- CreateIndex
CREATE INDEX "WorkforceEmail_userId_idx" ON "WorkforceEmail"("userId");

-- CreateIndex
CREATE INDEX "WorkforceEmail_address_trgm_idx" ON "WorkforceEmail" USING GIN ("address" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "Passkey_credentialId_key" ON "Passkey"("credentialId");

-- CreateIndex
CREATE INDEX "Passkey_userId_status_idx" ON "Passkey"("userId", "status");

-- CreateIndex
CREATE INDEX "RecoveryCase_userId_createdAt_idx" ON "RecoveryCase"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "RecoveryCase_agentId_createdAt_idx" ON "RecoveryCase"("agentId", "createdAt");

-- CreateIndex
CREATE INDEX "RecoveryCase_status_idx" ON "RecoveryCase"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ChecklistRun_caseId_key" ON "ChecklistRun"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "ChecklistStep_runId_position_key" ON "ChecklistStep"("runId", "position");

-- CreateIndex
CREATE INDEX "RedFlag_caseId_idx" ON "RedFlag"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "TemporaryAccessPass_codeHash_key" ON "TemporaryAccessPass"("codeHash");

-- CreateIndex
CREATE INDEX "TemporaryAccessPass_userId_idx" ON "TemporaryAccessPass"("userId");

-- CreateIndex
CREATE INDEX "TemporaryAccessPass_caseId_idx" ON "TemporaryAccessPass"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "EnrolmentLink_tokenHash_key" ON "EnrolmentLink"("tokenHash");

-- CreateIndex
CREATE INDEX "EnrolmentLink_userId_idx" ON "EnrolmentLink"("userId");

-- CreateIndex
CREATE INDEX "Approval_caseId_idx" ON "Approval"("caseId");

-- CreateIndex
CREATE INDEX "Approval_status_createdAt_idx" ON "Approval"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Revocation_userId_idx" ON "Revocation"("userId");

-- CreateIndex
CREATE INDEX "OutboxMessage_sentAt_availableAt_idx" ON "OutboxMessage"("sentAt", "availableAt");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_subjectUserId_id_idx" ON "AuditEvent"("subjectUserId", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_caseId_id_idx" ON "AuditEvent"("caseId", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_id_idx" ON "AuditEvent"("actorId", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_action_id_idx" ON "AuditEvent"("action", "id");

-- AddForeignKey
ALTER TABLE "StaffAccount" ADD CONSTRAINT "StaffAccount_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StaffSession" ADD CONSTRAINT "StaffSession_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkforceUser" ADD CONSTRAINT "WorkforceUser_managerId_fkey" FOREIGN KEY ("managerId") REFERENCES "WorkforceUser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkforceEmail" ADD CONSTRAINT "WorkforceEmail_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Passkey" ADD CONSTRAINT "Passkey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryCase" ADD CONSTRAINT "RecoveryCase_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryCase" ADD CONSTRAINT "RecoveryCase_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChecklistRun" ADD CONSTRAINT "ChecklistRun_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChecklistStep" ADD CONSTRAINT "ChecklistStep_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ChecklistRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RedFlag" ADD CONSTRAINT "RedFlag_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemporaryAccessPass" ADD CONSTRAINT "TemporaryAccessPass_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemporaryAccessPass" ADD CONSTRAINT "TemporaryAccessPass_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnrolmentLink" ADD CONSTRAINT "EnrolmentLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnrolmentLink" ADD CONSTRAINT "EnrolmentLink_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Revocation" ADD CONSTRAINT "Revocation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Revocation" ADD CONSTRAINT "Revocation_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "RecoveryCase"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Hand-written: rules Prisma's schema language cannot express.

-- Four-eyes: whoever decides an approval is never the one who requested it.
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_decider_not_requester"
  CHECK ("decidedById" IS NULL OR "decidedById" <> "requestedById");

-- At most one pending approval per case.
CREATE UNIQUE INDEX "Approval_one_pending_per_case" ON "Approval" ("caseId") WHERE "status" = 'PENDING';

-- An absolute session lifetime is meaningless if the idle deadline can pass it.
ALTER TABLE "StaffSession" ADD CONSTRAINT "StaffSession_expires_after_start" CHECK ("expires" > "createdAt");

-- TAP attempt bookkeeping stays within NIST SP 800-63B-4's limit of 100.
ALTER TABLE "TemporaryAccessPass" ADD CONSTRAINT "TemporaryAccessPass_failures_bounded"
  CHECK ("maxFailures" BETWEEN 1 AND 100 AND "failedAttempts" BETWEEN 0 AND "maxFailures");
