-- SCIM compares userName case-insensitively (RFC 7643 §4.1.1: caseExact false), and identity
-- providers look a person up by `userName eq "…"` before every write and every deactivation. Two
-- people whose userNames differ only in case would make that lookup find both, so the console
-- keeps userName unique ignoring case (the column's own unique key stays, case-exact).
CREATE UNIQUE INDEX "WorkforceUser_scimUserName_lower_key" ON "WorkforceUser" (lower("scimUserName"));
