-- AlterTable
ALTER TABLE "WebAuthnChallenge" ADD COLUMN     "enrolmentLinkId" UUID;

-- AlterTable
ALTER TABLE "EnrolmentLink" ADD COLUMN     "approvalId" UUID,
ADD COLUMN     "revokePasskeyIds" TEXT[],
ADD COLUMN     "sentTo" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Approval" ADD COLUMN     "needReason" TEXT NOT NULL DEFAULT '';

