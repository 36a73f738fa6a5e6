-- Hand-written (docs/decisions/017): a v2 audit row's createdAt is the database's own clock at
-- the insert, whatever the writer sends. The verifiers compare it with the signed appTime, so
-- someone who can insert (even with the event key) cannot back-date an event. ENABLE ALWAYS keeps
-- it firing under session_replication_role = replica, like the append-only triggers.
CREATE FUNCTION "audit_event_database_time"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."formatVersion" = 2 THEN
    NEW."createdAt" := clock_timestamp();
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "AuditEvent_database_time" BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_database_time"();
ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_database_time";
