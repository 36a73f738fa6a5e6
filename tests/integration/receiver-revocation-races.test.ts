/**
 * A Shared Signals receiver token revoked while requests are on their way (decision 034): every
 * change a receiver can ask for takes the receiver's lock and reads its token again, as the
 * revocation does. A request that finds the token revoked once it has the lock changes nothing,
 * is answered 401, and its refusal is audited exactly once; two revocations at once revoke once
 * and refuse (audited) the other.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { issueReceiverToken, revokeReceiverToken } from "@/lib/server/ssf/tokens";
import { DELETE, PATCH, POST as postStream, PUT } from "@/app/ssf/streams/route";
import { POST as postVerify } from "@/app/ssf/verify/route";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
beforeAll(() => owner.connect());
afterAll(() => owner.end());

const base = "http://localhost:3000";

function call(path: string, token: string, method: string, body?: unknown) {
  return new Request(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The refusals recorded as the named receiver's. */
const refusalsOf = (receiver: string) =>
  db.auditEvent.findMany({
    where: { action: "ssf.request_refused", actorName: `Shared Signals receiver: ${receiver}` },
    select: { outcome: true, reason: true },
  });

/** Waits until a backend waits for an advisory lock (the request, at the receiver's lock). */
async function waitsForAdvisoryLock() {
  for (;;) {
    const { rows } = await owner.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Change = {
  name: string;
  send: (token: string, streamId: string) => Promise<Response>;
};

const CHANGES: Change[] = [
  {
    name: "a change of its stream (PATCH)",
    send: (token, id) =>
      PATCH(call("/ssf/streams", token, "PATCH", { stream_id: id, description: "changed" })),
  },
  {
    name: "a replacement of its stream (PUT)",
    send: (token, id) =>
      PUT(
        call("/ssf/streams", token, "PUT", {
          stream_id: id,
          delivery: { method: "urn:ietf:rfc:8936" },
          description: "replaced",
        }),
      ),
  },
  {
    name: "a deletion of its stream",
    send: (token, id) => DELETE(call(`/ssf/streams?stream_id=${id}`, token, "DELETE")),
  },
  {
    name: "a verification of its stream",
    send: (token, id) => postVerify(call("/ssf/verify", token, "POST", { stream_id: id })),
  },
];

describe("a receiver token revoked while its requests are on their way", () => {
  it.each(CHANGES)(
    "$name that waited for the receiver's lock while the revocation committed changes nothing, is refused, and is audited once",
    async ({ name, send }) => {
      const reviewer = await actor("SECURITY");
      const receiver = `Racing app (${name})`;
      const { id, token } = await issueReceiverToken({ actor: reviewer, name: receiver });
      const created = await postStream(
        call("/ssf/streams", token, "POST", { delivery: { method: "urn:ietf:rfc:8936" } }),
      );
      expect(created.status).toBe(201);
      const { stream_id } = (await created.json()) as { stream_id: string };
      // The revocation, as revokeReceiverToken makes it: the receiver's lock first, then the
      // token revoked and its streams disabled, committed while the request waits for the lock.
      await owner.query("BEGIN");
      await owner.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `ssf-receiver:${id}`,
      ]);
      const answer = send(token, stream_id);
      await waitsForAdvisoryLock();
      await owner.query(`UPDATE "SsfReceiverToken" SET "revokedAt" = now() WHERE id = $1`, [id]);
      await owner.query(
        `UPDATE "SsfStream" SET status = 'disabled', "statusReason" = 'receiver token revoked' WHERE "tokenId" = $1`,
        [id],
      );
      const revokedState = await owner.query(`SELECT * FROM "SsfStream" WHERE id = $1`, [
        stream_id,
      ]);
      await owner.query("COMMIT");
      const response = await answer;
      const after = await owner.query(`SELECT * FROM "SsfStream" WHERE id = $1`, [stream_id]);
      expect({ status: response.status, stream: after.rows }).toEqual({
        status: 401,
        stream: revokedState.rows,
      });
      expect(await refusalsOf(receiver)).toEqual([
        { outcome: "REFUSED", reason: "UNAUTHENTICATED" },
      ]);
    },
  );

  it("two revocations at once revoke the token once; the other is refused and audited", async () => {
    const reviewer = await actor("SECURITY");
    const { id } = await issueReceiverToken({ actor: reviewer, name: "Twice revoked" });
    const outcomes = await Promise.allSettled([
      revokeReceiverToken({ actor: reviewer, id }),
      revokeReceiverToken({ actor: reviewer, id }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = outcomes.find((outcome) => outcome.status === "rejected");
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
    const events = await db.auditEvent.findMany({
      where: { targetId: id, action: { in: ["ssf.token_revoked", "ssf.request_refused"] } },
      select: { action: true, outcome: true, reason: true },
      orderBy: { id: "asc" },
    });
    expect(events).toEqual([
      { action: "ssf.token_revoked", outcome: "ALLOWED", reason: null },
      { action: "ssf.request_refused", outcome: "REFUSED", reason: "NOT_FOUND" },
    ]);
    expect((await db.ssfReceiverToken.findUniqueOrThrow({ where: { id } })).revokedAt).not.toBe(
      null,
    );
  });
});
