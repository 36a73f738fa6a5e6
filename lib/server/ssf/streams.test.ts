import type { JSONWebKeySet } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { SSF_EVENT_TYPES } from "@/lib/domain/ssf/events";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";
import { startSsfReceiver, verifySet } from "@/tests/ssf-receiver";
import { GET as getMetadata } from "@/app/.well-known/ssf-configuration/route";
import { GET as getJwks } from "@/app/ssf/jwks/route";
import { POST as postPoll } from "@/app/ssf/poll/[streamId]/route";
import { GET as getStatus, POST as postStatus } from "@/app/ssf/status/route";
import {
  DELETE as deleteStream,
  GET as getStreams,
  PATCH as patchStream,
  POST as postStream,
  PUT as putStream,
} from "@/app/ssf/streams/route";
import { POST as postVerify } from "@/app/ssf/verify/route";
import { revokePasskeys } from "../revoke-passkeys";
import { deliverSsf, headPosition } from "./deliver";
import { ssfIssuer } from "./issuer";
import { MAX_STREAMS_PER_RECEIVER, poll } from "./streams";
import { issueReceiverToken, receiverLock, revokeReceiverToken } from "./tokens";

const base = "http://localhost:3000";
const call = (path: string, token: string | null, method = "GET", body?: unknown) =>
  new Request(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

const receivers: Awaited<ReturnType<typeof startSsfReceiver>>[] = [];
afterAll(async () => {
  for (const receiver of receivers) await receiver.stop();
});

describe("Shared Signals metadata and stream management", () => {
  it("publishes the transmitter's metadata and its key set", async () => {
    const metadata = (await (
      await getMetadata(new Request(`${base}/.well-known/ssf-configuration`))
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: ssfIssuer(),
      jwks_uri: `${ssfIssuer()}/ssf/jwks`,
      delivery_methods_supported: ["urn:ietf:rfc:8935", "urn:ietf:rfc:8936"],
      configuration_endpoint: `${ssfIssuer()}/ssf/streams`,
      status_endpoint: `${ssfIssuer()}/ssf/status`,
      verification_endpoint: `${ssfIssuer()}/ssf/verify`,
      authorization_schemes: [{ spec_urn: "urn:ietf:rfc:6750" }],
      default_subjects: "ALL",
    });
    const jwks = (await (await getJwks(new Request(`${base}/ssf/jwks`))).json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("only security reviewers issue tokens; a wrong or revoked token is refused and audited", async () => {
    const agent = await actor("AGENT");
    await expect(issueReceiverToken({ actor: agent, name: "Mail" })).rejects.toBeInstanceOf(
      DomainError,
    );
    const reviewer = await actor("SECURITY");
    const { id, token } = await issueReceiverToken({ actor: reviewer, name: "Mail gateway" });
    const stored = await db.ssfReceiverToken.findUniqueOrThrow({ where: { id } });
    expect(stored.tokenHash).not.toContain(token);

    expect((await getStreams(call("/ssf/streams", null))).status).toBe(401);
    expect((await getStreams(call("/ssf/streams", "x".repeat(43)))).status).toBe(401);
    expect((await getStreams(call("/ssf/streams", token))).status).toBe(200);
    // A browser on another site cannot use a token it holds against the API.
    const foreign = new Request(`${base}/ssf/streams`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, Origin: "https://evil.example" },
      body: JSON.stringify({ delivery: { method: "urn:ietf:rfc:8936" } }),
    });
    expect((await postStream(foreign)).status).toBe(403);
    expect(await db.ssfStream.count({ where: { tokenId: id } })).toBe(0);
    await revokeReceiverToken({ actor: reviewer, id });
    expect((await getStreams(call("/ssf/streams", token))).status).toBe(401);
    expect(
      await db.auditEvent.count({ where: { action: "ssf.request_refused", outcome: "REFUSED" } }),
    ).toBe(3);
    expect(await db.auditEvent.count({ where: { action: "ssf.token_issued" } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "ssf.token_revoked" } })).toBe(1);
  });

  it("lets a receiver create, read, change, pause, verify and delete its own stream, and no other's", async () => {
    const reviewer = await actor("SECURITY");
    const { token } = await issueReceiverToken({ actor: reviewer, name: "Chat app" });
    const { token: other } = await issueReceiverToken({ actor: reviewer, name: "Wiki" });
    const jwks = (await (await getJwks(new Request(`${base}/ssf/jwks`))).json()) as JSONWebKeySet;
    // The receiver learns its audience from the stream it creates.
    const expected = {
      jwks,
      issuer: ssfIssuer(),
      audience: "unknown yet",
      authorization: "Bearer push-secret",
    };
    const receiver = await startSsfReceiver(expected);
    receivers.push(receiver);

    const bad = await postStream(
      call("/ssf/streams", token, "POST", {
        delivery: { method: "urn:ietf:rfc:8935", endpoint_url: "http://evil.example.com/x" },
      }),
    );
    expect(bad.status).toBe(400);
    expect(await db.ssfStream.count()).toBe(0);

    const created = await postStream(
      call("/ssf/streams", token, "POST", {
        delivery: {
          method: "urn:ietf:rfc:8935",
          endpoint_url: receiver.url,
          authorization_header: "Bearer push-secret",
        },
        events_requested: [SSF_EVENT_TYPES.credentialChange],
      }),
    );
    expect(created.status).toBe(201);
    const config = (await created.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      iss: ssfIssuer(),
      delivery: { method: "urn:ietf:rfc:8935", endpoint_url: receiver.url },
      events_delivered: [SSF_EVENT_TYPES.credentialChange],
    });
    expect(JSON.stringify(config)).not.toContain("push-secret");
    const streamId = String(config.stream_id);
    expected.audience = String(config.aud);

    // Another receiver cannot see or touch it.
    expect((await getStreams(call(`/ssf/streams?stream_id=${streamId}`, other))).status).toBe(404);
    expect(
      (await deleteStream(call(`/ssf/streams?stream_id=${streamId}`, other, "DELETE"))).status,
    ).toBe(404);

    const patched = await patchStream(
      call("/ssf/streams", token, "PATCH", { stream_id: streamId, description: "chat" }),
    );
    expect(((await patched.json()) as Record<string, unknown>).description).toBe("chat");
    const replaced = await putStream(
      call("/ssf/streams", token, "PUT", {
        stream_id: streamId,
        delivery: {
          method: "urn:ietf:rfc:8935",
          endpoint_url: receiver.url,
          authorization_header: "Bearer push-secret",
        },
      }),
    );
    expect(((await replaced.json()) as Record<string, unknown>).events_delivered).toHaveLength(5);

    const paused = await postStatus(
      call("/ssf/status", token, "POST", { stream_id: streamId, status: "paused" }),
    );
    expect(await paused.json()).toEqual({ stream_id: streamId, status: "paused" });
    expect(
      await (await getStatus(call(`/ssf/status?stream_id=${streamId}`, token))).json(),
    ).toMatchObject({ status: "paused" });
    await postStatus(
      call("/ssf/status", token, "POST", { stream_id: streamId, status: "enabled" }),
    );

    // Verification: a signed verification event arrives at the endpoint with the state.
    const verify = await postVerify(
      call("/ssf/verify", token, "POST", { stream_id: streamId, state: "abc123" }),
    );
    expect(verify.status).toBe(204);
    // The audience is the stream's; the receiver checks it.
    const verification = receiver.accepted.at(-1)!;
    expect(verification.type).toBe(SSF_EVENT_TYPES.verification);
    expect(verification.claims).toEqual({ state: "abc123" });
    expect(verification.payload.aud).toBe(config.aud);

    expect(
      (await deleteStream(call(`/ssf/streams?stream_id=${streamId}`, token, "DELETE"))).status,
    ).toBe(204);
    expect(await db.ssfStream.count({ where: { id: streamId } })).toBe(0);
    expect(
      (
        await db.auditEvent.findMany({
          where: { action: "ssf.stream_changed" },
          orderBy: { position: "asc" },
        })
      ).map((e) => (e.data as { change: string }).change),
    ).toEqual(["created", "updated", "replaced", "status", "status", "verification", "deleted"]);
  });

  it("lets one receiver hold at most MAX_STREAMS_PER_RECEIVER streams, even when it asks for many at once", async () => {
    const reviewer = await actor("SECURITY");
    const { id, token } = await issueReceiverToken({ actor: reviewer, name: "Greedy app" });
    const { token: other } = await issueReceiverToken({ actor: reviewer, name: "Modest app" });
    const create = (bearer: string) =>
      postStream(
        call("/ssf/streams", bearer, "POST", { delivery: { method: "urn:ietf:rfc:8936" } }),
      );
    const refusedBefore = await db.auditEvent.count({ where: { action: "ssf.request_refused" } });
    // Every request at once, over the pool's connections: the count holds whatever the order.
    const answers = await Promise.all(
      Array.from({ length: MAX_STREAMS_PER_RECEIVER + 6 }, () => create(token)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(MAX_STREAMS_PER_RECEIVER);
    expect(statuses.filter((status) => status === 409)).toHaveLength(6);
    expect(await db.ssfStream.count({ where: { tokenId: id } })).toBe(MAX_STREAMS_PER_RECEIVER);
    const refusal = answers.find((answer) => answer.status === 409)!;
    expect(((await refusal.json()) as { description: string }).description).toBe(
      `This receiver has ${MAX_STREAMS_PER_RECEIVER} streams already: delete one before creating another.`,
    );
    const refusals = await db.auditEvent.findMany({
      where: { action: "ssf.request_refused" },
      orderBy: { id: "asc" },
      skip: refusedBefore,
    });
    expect(refusals.map((row) => [row.reason, row.actorName])).toEqual(
      Array.from({ length: 6 }, () => ["CONFLICT", "Shared Signals receiver: Greedy app"]),
    );
    // Another receiver is not held back, and a deleted stream frees its place.
    expect((await create(other)).status).toBe(201);
    const [first] = await db.ssfStream.findMany({ where: { tokenId: id }, take: 1 });
    expect(
      (await deleteStream(call(`/ssf/streams?stream_id=${first!.id}`, token, "DELETE"))).status,
    ).toBe(204);
    expect((await create(token)).status).toBe(201);
    expect((await create(token)).status).toBe(409);
  });

  it("starts a stream enabled again from the trail's end even when it was disabled while the request waited for the receiver's lock", async () => {
    const reviewer = await actor("SECURITY");
    const { id, token } = await issueReceiverToken({ actor: reviewer, name: "Racing app" });
    const created = await postStream(
      call("/ssf/streams", token, "POST", { delivery: { method: "urn:ietf:rfc:8936" } }),
    );
    const { stream_id } = (await created.json()) as { stream_id: string };
    const start = (await db.ssfStream.findUniqueOrThrow({ where: { id: stream_id } })).position;
    // Another change of this receiver holds its lock; the enabling reads the stream (enabled),
    // then waits; meanwhile the stream is disabled and events happen that it must never get.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.$transaction(async (tx) => {
      await receiverLock(tx, id);
      locked();
      await held;
      await tx.ssfStream.update({ where: { id: stream_id }, data: { status: "disabled" } });
    });
    await lockTaken;
    const enabling = postStatus(
      call("/ssf/status", token, "POST", { stream_id, status: "enabled" }),
    );
    // Let the enabling reach the lock, then disable and commit.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const user = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: await actor("AGENT"),
      userId: user.id,
      request: { scope: "ALL" },
      reason: "LOST",
    });
    const headWhileDisabled = await headPosition(db);
    release();
    await holder;
    expect((await enabling).status).toBe(200);
    const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream_id } });
    expect(after.status).toBe("enabled");
    // Enabled after a disabling: from the trail's end, past the revocation it was disabled for.
    expect(after.position).toBeGreaterThanOrEqual(headWhileDisabled);
    expect(after.position).toBeGreaterThan(start);
  });

  it("serves a poll stream over its endpoint: signed events, acknowledged by jti", async () => {
    const reviewer = await actor("SECURITY");
    const { token } = await issueReceiverToken({ actor: reviewer, name: "Poller" });
    const created = (await (
      await postStream(
        call("/ssf/streams", token, "POST", { delivery: { method: "urn:ietf:rfc:8936" } }),
      )
    ).json()) as { stream_id: string; aud: string; delivery: { endpoint_url: string } };
    expect(created.delivery.endpoint_url).toBe(`${ssfIssuer()}/ssf/poll/${created.stream_id}`);
    const user = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: await actor("AGENT"),
      userId: user.id,
      request: { scope: "ONE", passkeyId: user.passkeys[0]!.id },
      reason: "SUSPECTED_COMPROMISE",
    });
    // The push deliverer never touches a poll stream.
    await deliverSsf(db, { issuer: ssfIssuer() });
    const params = { params: Promise.resolve({ streamId: created.stream_id }) };
    const first = (await (
      await postPoll(
        call(`/ssf/poll/${created.stream_id}`, token, "POST", { returnImmediately: true }),
        params,
      )
    ).json()) as { sets: Record<string, string>; moreAvailable: boolean };
    const jwks = (await (await getJwks(new Request(`${base}/ssf/jwks`))).json()) as JSONWebKeySet;
    const sets = await Promise.all(
      Object.values(first.sets).map((jwt) =>
        verifySet(jwt, jwks, { issuer: ssfIssuer(), audience: created.aud }),
      ),
    );
    expect(sets.map((s) => s.type)).toEqual([SSF_EVENT_TYPES.credentialChange]);
    expect(sets[0]!.subject).toEqual({ format: "email", email: user.emails[0]!.address });
    const second = (await (
      await postPoll(
        call(`/ssf/poll/${created.stream_id}`, token, "POST", {
          ack: Object.keys(first.sets),
          returnImmediately: true,
        }),
        params,
      )
    ).json()) as { sets: Record<string, string> };
    expect(second.sets).toEqual({});
    // A wrong token cannot poll.
    expect(
      (await postPoll(call(`/ssf/poll/${created.stream_id}`, "y".repeat(43), "POST", {}), params))
        .status,
    ).toBe(401);
  });

  it("holds a long poll until an event is there, and answers empty when its wait ends", async () => {
    const reviewer = await actor("SECURITY");
    const { token } = await issueReceiverToken({ actor: reviewer, name: "Long poller" });
    const created = (await (
      await postStream(
        call("/ssf/streams", token, "POST", { delivery: { method: "urn:ietf:rfc:8936" } }),
      )
    ).json()) as { stream_id: string; aud: string };
    const path = `/ssf/poll/${created.stream_id}`;
    // Nothing yet: a short wait ends with an empty answer, not an error.
    const quiet = (await (
      await poll(call(path, token, "POST", {}), created.stream_id, { waitMs: 200 })
    ).json()) as { sets: Record<string, string>; moreAvailable: boolean };
    expect(quiet).toEqual({ sets: {}, moreAvailable: false });

    // A long poll (RFC 8936's default) is still waiting when the revocation happens, and
    // answers with it.
    let settled = false;
    const waiting = poll(call(path, token, "POST", {}), created.stream_id, {
      waitMs: 60_000,
    }).then((response) => {
      settled = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    const user = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: await actor("AGENT"),
      userId: user.id,
      request: { scope: "ONE", passkeyId: user.passkeys[0]!.id },
      reason: "LOST",
    });
    const answer = (await (await waiting).json()) as { sets: Record<string, string> };
    const jwks = (await (await getJwks(new Request(`${base}/ssf/jwks`))).json()) as JSONWebKeySet;
    const sets = await Promise.all(
      Object.values(answer.sets).map((jwt) =>
        verifySet(jwt, jwks, { issuer: ssfIssuer(), audience: created.aud }),
      ),
    );
    expect(sets.map((set) => set.type)).toContain(SSF_EVENT_TYPES.credentialChange);
  });

  it("gives a poll stream its verification event in every poll until it is acknowledged", async () => {
    const reviewer = await actor("SECURITY");
    const { token } = await issueReceiverToken({ actor: reviewer, name: "Verifying poller" });
    const created = (await (
      await postStream(
        call("/ssf/streams", token, "POST", { delivery: { method: "urn:ietf:rfc:8936" } }),
      )
    ).json()) as { stream_id: string; aud: string };
    const asked = await postVerify(
      call("/ssf/verify", token, "POST", { stream_id: created.stream_id, state: "check-42" }),
    );
    expect(asked.status).toBe(204);
    const jwks = (await (await getJwks(new Request(`${base}/ssf/jwks`))).json()) as JSONWebKeySet;
    const params = { params: Promise.resolve({ streamId: created.stream_id }) };
    const pollOnce = async (ack: string[] = []) =>
      (await (
        await postPoll(
          call(`/ssf/poll/${created.stream_id}`, token, "POST", { ack, returnImmediately: true }),
          params,
        )
      ).json()) as { sets: Record<string, string> };
    for (let i = 0; i < 2; i++) {
      const { sets } = await pollOnce();
      const [jwt] = Object.values(sets);
      const set = await verifySet(jwt!, jwks, { issuer: ssfIssuer(), audience: created.aud });
      expect(set.type).toBe(SSF_EVENT_TYPES.verification);
      expect(set.claims).toEqual({ state: "check-42" });
      expect(set.subject).toEqual({ format: "opaque", id: created.stream_id });
    }
    const jti = Object.keys((await pollOnce()).sets)[0]!;
    expect((await pollOnce([jti])).sets).toEqual({});
    expect((await pollOnce()).sets).toEqual({});
  });
});
