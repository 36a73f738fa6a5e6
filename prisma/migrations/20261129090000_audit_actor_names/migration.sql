-- The actor search on the audit page (docs/decisions/047). A search for part of a name is matched
-- against the names the trail holds (a few thousand at most), then those names' events are read
-- on a (actorName, createdAt, id) index, in either order a page reads. The trigram index over every
-- event's actorName is dropped: a day's events had to be read one by one to find an actor's
-- (3,300 rows for a day at a million events, 33 at ten thousand), and every append paid for it.

-- DropIndex
DROP INDEX "AuditEvent_actorName_trgm_idx";

-- CreateTable
CREATE TABLE "AuditActorName" (
    "name" TEXT NOT NULL,

    CONSTRAINT "AuditActorName_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "AuditActorName_name_trgm_idx" ON "AuditActorName" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "AuditEvent_actorName_createdAt_id_idx" ON "AuditEvent"("actorName", "createdAt", "id");

-- Hand-written: every row inserted into AuditEvent, by any role and any path (the append, a v1 row,
-- a planted one), puts its actor's name here, so the search finds every row the trail holds, the
-- rows it marks as not part of the log included. It runs as the inserting role (SECURITY INVOKER:
-- a SECURITY DEFINER trigger function can be attached by any role to a table of its own whose
-- column converts to text through a function it wrote, which the INSERT would then run as the
-- owner). So the application role may add names (prisma/app-role.sql), which is harmless: a name
-- with no events finds none. It may neither change nor remove one. Nobody but the owner may attach
-- the function to a table. A name already here costs one probe of the primary key. ENABLE ALWAYS,
-- like the other audit triggers.
CREATE FUNCTION "audit_event_actor_name"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "AuditActorName" ("name") VALUES (NEW."actorName") ON CONFLICT DO NOTHING;
  RETURN NEW;
END
$$;
CREATE TRIGGER "AuditEvent_actor_name" BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_actor_name"();
ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_actor_name";
REVOKE EXECUTE ON FUNCTION "audit_event_actor_name"() FROM PUBLIC;

-- The names of the events already written.
INSERT INTO "AuditActorName" ("name") SELECT DISTINCT "actorName" FROM "AuditEvent"
  ON CONFLICT DO NOTHING;
ANALYZE "AuditActorName";
