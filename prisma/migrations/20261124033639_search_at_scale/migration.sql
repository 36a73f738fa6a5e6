-- Search at scale (issue 11, docs/decisions/022-search-at-scale.md). Computed by
-- `npm run db:migrate`; the comments are hand-written.
-- - The directory reads a page in (name, id) order from an index instead of sorting every match.
-- - A date range on the audit page is read newest first in (createdAt, id) order: the plain
--   createdAt index it replaces served only the bounds, and (createdAt, id) serves both.
-- - The actor search (at least 3 characters) is a trigram index lookup instead of a full scan.
-- - Finer statistics for the directory's substring searches (at the end).
-- Each CREATE INDEX holds a lock that blocks writes to its table while it builds (seconds for a
-- million audit events; the trigram index takes longest): run it when the console is quiet.

-- DropIndex
DROP INDEX "AuditEvent_createdAt_idx";

-- CreateIndex
CREATE INDEX "WorkforceUser_name_id_idx" ON "WorkforceUser"("name", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_id_idx" ON "AuditEvent"("createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorName_trgm_idx" ON "AuditEvent" USING GIN ("actorName" gin_trgm_ops);


-- Hand-written: a substring search's row count is estimated from the column's histogram, and
-- with the default 100 entries a name shared by 5% of the directory can look like 10 rows (the
-- planner then sorts thousands of matches instead of walking the name order). 1,000 entries.
ALTER TABLE "WorkforceUser" ALTER COLUMN "name" SET STATISTICS 1000;
ALTER TABLE "WorkforceEmail" ALTER COLUMN "address" SET STATISTICS 1000;
