-- Hand-written (docs/decisions/017): the append as one call, so the append lock is held for one
-- statement and the commit, not for a round trip more. Called as the last statement of every
-- audited transaction (lib/server/audit.ts) with the events already signed by the application;
-- `notify` asks the signer for a checkpoint at commit (before the lock is taken).
-- At READ COMMITTED each statement of a volatile function takes a new snapshot, so the INSERT,
-- which runs after the lock is granted, sees the previous holder's commit: positions never fork.
-- The lock id 7355608 is AUDIT_CHAIN_LOCK in lib/server/audit.ts. SECURITY INVOKER: the caller
-- needs its own INSERT privilege, as before.
CREATE FUNCTION "audit_append"(events jsonb, notify boolean) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
  IF notify THEN
    PERFORM pg_notify('audit_checkpoint', '');
  END IF;
  PERFORM pg_advisory_xact_lock(7355608);
  INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", "entry",
    "signature", "action", "outcome", "reason", "actorType", "actorId", "actorName", "actorRole",
    "targetType", "targetId", "subjectUserId", "caseId", "requestId", "ip", "data")
  SELECT 2, head.position + e.n, (e.v->>'eventId')::uuid, (e.v->>'appTime')::timestamptz,
    e.v->>'keyId', decode(e.v->>'entry', 'base64'), decode(e.v->>'signature', 'base64'),
    e.v->>'action', (e.v->>'outcome')::"AuditOutcome", e.v->>'reason', e.v->>'actorType',
    (e.v->>'actorId')::uuid, e.v->>'actorName', e.v->>'actorRole', e.v->>'targetType',
    e.v->>'targetId', (e.v->>'subjectUserId')::uuid, (e.v->>'caseId')::uuid, e.v->>'requestId',
    e.v->>'ip', e.v->'data'
  FROM (SELECT coalesce(max("position"), -1) AS position FROM "AuditEvent") AS head
  CROSS JOIN jsonb_array_elements(events) WITH ORDINALITY AS e(v, n)
  ORDER BY e.n;
END
$$;
