-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "previousSecretSealed" TEXT,
ADD COLUMN     "previousSecretUntil" TIMESTAMPTZ(6),
ADD COLUMN     "secretRotatedAt" TIMESTAMPTZ(6);

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "resend" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "resendRequestedAt" TIMESTAMPTZ(6),
ADD COLUMN     "resentAt" TIMESTAMPTZ(6);

