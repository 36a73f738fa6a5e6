-- AlterTable
ALTER TABLE "Passkey" ADD COLUMN     "nickname" TEXT;

-- AlterTable
ALTER TABLE "RepudiationLink" ADD COLUMN     "change" TEXT;


-- Hand-written (decision 036). A name is never empty and never long (the action trims and bounds
-- it; this holds for any writer).
ALTER TABLE "Passkey" ADD CONSTRAINT "Passkey_nickname_length"
  CHECK ("nickname" IS NULL OR char_length("nickname") BETWEEN 1 AND 60);

-- A "this wasn't me" link may now be about a change made on /account (signing out everywhere
-- names no passkey): still never about nothing, and only the known changes.
ALTER TABLE "RepudiationLink" DROP CONSTRAINT "RepudiationLink_about_something";
ALTER TABLE "RepudiationLink" ADD CONSTRAINT "RepudiationLink_about_something"
  CHECK ("caseId" IS NOT NULL OR "passkeyId" IS NOT NULL OR "change" IS NOT NULL);
ALTER TABLE "RepudiationLink" ADD CONSTRAINT "RepudiationLink_change_known"
  CHECK ("change" IS NULL OR "change" IN ('renamed', 'removed', 'lost', 'signed_out'));
