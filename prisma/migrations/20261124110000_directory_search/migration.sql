-- Directory search for the desk (issue 12, docs/decisions/022-search-at-scale.md, "Issue 12"):
-- by phone in any written form, part of an employee ID, first.last, and names surname first,
-- ranked. The first index is computed by `npm run db:migrate`; the comments and the two
-- expression indexes after it are hand-written (the schema cannot express them).
-- Each CREATE INDEX blocks writes to "WorkforceUser" while it builds: about a second each at
-- 100,000 users. Run it when the console is quiet.

-- CreateIndex
CREATE INDEX "WorkforceUser_employeeId_trgm_idx" ON "WorkforceUser" USING GIN ("employeeId" gin_trgm_ops);

-- Hand-written: the phone of record as E.164 digits ("+44 (0)20 7946 0958" is 442079460958), the
-- expression lib/server/workforce-directory.ts compares a normalised search with. Keep the two
-- identical, or the search reads every user.
CREATE INDEX "WorkforceUser_phone_digits_idx" ON "WorkforceUser"
  (regexp_replace(replace("phoneOfRecord", '(0)', ''), '[^0-9]', '', 'g'));

-- Hand-written: the name in lower case, for an exact full name (=) and a name starting with the
-- search (LIKE 'ada ok%'; text_pattern_ops, as the database's collation is not C).
CREATE INDEX "WorkforceUser_name_lower_idx" ON "WorkforceUser" (lower("name") text_pattern_ops);
