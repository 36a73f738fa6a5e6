-- AlterTable
ALTER TABLE "StaffCertification" ADD COLUMN     "expiryRecordedAt" TIMESTAMPTZ(6);

