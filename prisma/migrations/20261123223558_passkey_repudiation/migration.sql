-- AlterTable
ALTER TABLE "RepudiationLink" ADD COLUMN     "passkeyId" UUID,
ALTER COLUMN "caseId" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "RepudiationLink_passkeyId_idx" ON "RepudiationLink"("passkeyId");

-- AddForeignKey
ALTER TABLE "RepudiationLink" ADD CONSTRAINT "RepudiationLink_passkeyId_fkey" FOREIGN KEY ("passkeyId") REFERENCES "Passkey"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: a "this wasn't me" link is about a case, a passkey, or both; never about nothing.
ALTER TABLE "RepudiationLink" ADD CONSTRAINT "RepudiationLink_about_something"
  CHECK ("caseId" IS NOT NULL OR "passkeyId" IS NOT NULL);
