-- Hand-written (docs/decisions/017): a v2 row can only take the next position, and only a v2 row
-- takes one. Whoever can INSERT (the application role) could otherwise plant a row at a far
-- position: the log would then have a hole that stops every later checkpoint. Rows earlier in the
-- same INSERT are visible to a row-level BEFORE trigger, so one statement appending several
-- events passes. ENABLE ALWAYS, like the other audit triggers.
CREATE FUNCTION "audit_event_next_position"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  expected bigint;
BEGIN
  IF NEW."formatVersion" <> 2 THEN
    IF NEW."position" IS NOT NULL THEN
      RAISE EXCEPTION 'only a v2 audit event has a position' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  SELECT coalesce(max("position"), -1) + 1 INTO expected FROM "AuditEvent";
  IF NEW."position" IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'audit position % is not the next one (%)', NEW."position", expected
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "AuditEvent_next_position" BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_next_position"();
ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_next_position";
