-- The signer's check receipt for each checkpoint (docs/decisions/049-check-receipts.md).
-- AlterTable
ALTER TABLE "AuditCheckpoint" ADD COLUMN     "receipt" TEXT;

