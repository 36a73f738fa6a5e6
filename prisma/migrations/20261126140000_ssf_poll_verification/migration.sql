-- AlterTable
ALTER TABLE "SsfStream" ADD COLUMN     "verificationJti" TEXT,
ADD COLUMN     "verificationState" TEXT;
