/**
 * The Shared Signals stream management API (docs/decisions/034-shared-signals.md), for
 * receivers authorised by a bearer token a security reviewer issued: create, read, update,
 * replace and delete a stream's configuration, read and set its status, ask for a verification
 * event, and poll (RFC 8936). Each function takes the request and returns the response, so the
 * route handlers stay one line. Every change and every refusal is audited in its transaction.
 *
 * These are machine-to-machine calls with a bearer token (no cookies), so the console's
 * same-origin checks for browser requests do not apply to them.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { SsfReceiverToken, SsfStream } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { SSF_EVENT_TYPES } from "@/lib/domain/ssf/events";
import {
  PollRequest,
  PUSH_METHOD,
  StatusWrite,
  StreamPatch,
  StreamWrite,
  streamConfiguration,
  transmitterMetadata,
  VerificationRequest,
} from "@/lib/domain/ssf/streams";
import { auditedTransaction, recordAudit, type AuditActor, type Tx } from "../audit";
import { hashToken } from "../secrets";
import { headPosition, pollStream, pushSet } from "./deliver";
import { ssfIssuer } from "./issuer";
import { ssfConfigured } from "./keys";
import { subscribeToLiveChanges } from "../live-listener";
import { receiverFetch } from "./receiver-fetch";
import { signSet } from "./set";
import { receiverLock } from "./tokens";
import { isUuid } from "@/lib/domain/uuid";

const json = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
const problem = (status: number, description: string) =>
  json(status, { error: status === 401 ? "invalid_token" : "invalid_request", description });

function receiverActor(token: SsfReceiverToken): AuditActor {
  return { type: "SYSTEM", name: `Shared Signals receiver: ${token.name}`.slice(0, 100) };
}

async function refuse(actor: AuditActor, status: number, detail: string, reason: string) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "ssf.request_refused",
      outcome: "REFUSED",
      reason,
      actor,
      data: { detail },
    }),
  );
  return problem(status, detail);
}

const REVOKED = Symbol("token revoked");

/**
 * A receiver's change, in one audited transaction that first takes the receiver's lock (shared
 * with the token's revocation, tokens.ts receiverLock) and reads its token again. A request
 * authenticated before a revocation that gets here after it changes nothing: the revocation
 * disabled every stream of the token, and no stream may be added, enabled or changed since.
 */
async function receiverChange<T>(
  token: SsfReceiverToken,
  work: (tx: Tx) => Promise<T>,
): Promise<T | typeof REVOKED> {
  return auditedTransaction(db, async (tx) => {
    await receiverLock(tx, token.id);
    const current = await tx.ssfReceiverToken.findUnique({
      where: { id: token.id },
      select: { revokedAt: true },
    });
    if (!current || current.revokedAt) return REVOKED;
    return work(tx);
  });
}

/** The refusal of a request whose token was revoked while it was on its way (audited). */
const refuseRevoked = (token: SsfReceiverToken) =>
  refuse(receiverActor(token), 401, "The bearer token is not valid.", "UNAUTHENTICATED");

/** The receiver the bearer token names, or the response refusing it (audited). */
async function authenticate(request: Request): Promise<SsfReceiverToken | Response> {
  if (!ssfConfigured()) return problem(404, "Shared Signals are not configured.");
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
  const token = match
    ? await db.ssfReceiverToken.findUnique({ where: { tokenHash: hashToken(match[1]!) } })
    : null;
  if (!token || token.revokedAt)
    return refuse({ type: "ANONYMOUS" }, 401, "The bearer token is not valid.", "UNAUTHENTICATED");
  return token;
}

async function readBody<T extends z.ZodType>(
  request: Request,
  schema: T,
  token: SsfReceiverToken,
): Promise<z.output<T> | Response> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return refuse(receiverActor(token), 400, "The body must be a JSON object.", "INVALID_INPUT");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`;
    return refuse(receiverActor(token), 400, detail.slice(0, 300), "INVALID_INPUT");
  }
  return parsed.data;
}

/** The receiver's own stream, or the 404 (another receiver's stream is not found, never shown). */
async function ownStream(
  token: SsfReceiverToken,
  streamId: string | null | undefined,
): Promise<SsfStream | Response> {
  const stream = isUuid(streamId)
    ? await db.ssfStream.findFirst({ where: { id: streamId, tokenId: token.id } })
    : null;
  if (!stream) return refuse(receiverActor(token), 404, "No such stream.", "NOT_FOUND");
  return stream;
}

function deliveryFields(delivery: z.output<typeof StreamWrite>["delivery"]) {
  return delivery.method === PUSH_METHOD
    ? {
        deliveryMethod: "push",
        endpointUrl: delivery.endpoint_url,
        authorizationHeader: delivery.authorization_header ?? null,
      }
    : { deliveryMethod: "poll", endpointUrl: null, authorizationHeader: null };
}

async function audited(
  tx: Tx,
  token: SsfReceiverToken,
  stream: SsfStream,
  change: "created" | "updated" | "replaced" | "deleted" | "status" | "verification",
) {
  await recordAudit(tx, {
    action: "ssf.stream_changed",
    outcome: "ALLOWED",
    actor: receiverActor(token),
    target: { type: "ssf_stream", id: stream.id },
    data: {
      change,
      deliveryMethod: stream.deliveryMethod === "push" ? "push" : "poll",
      status: stream.status as "enabled" | "paused" | "disabled",
    },
  });
}

export function metadata(): Response {
  if (!ssfConfigured()) return problem(404, "Shared Signals are not configured.");
  return json(200, transmitterMetadata(ssfIssuer()));
}

/** GET /ssf/streams[?stream_id=]: one stream, or all of the receiver's. */
export async function readStreams(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const id = new URL(request.url).searchParams.get("stream_id");
  if (id) {
    const stream = await ownStream(token, id);
    if (stream instanceof Response) return stream;
    return json(200, streamConfiguration(stream, ssfIssuer()));
  }
  const streams = await db.ssfStream.findMany({
    where: { tokenId: token.id },
    orderBy: { createdAt: "asc" },
  });
  return json(
    200,
    streams.map((s) => streamConfiguration(s, ssfIssuer())),
  );
}

/**
 * Streams one receiver may hold. A receiver needs one, or one per application it feeds; each
 * stream is read and delivered on its own, so a receiver (or a leaked token) must not be able to
 * open any number of them.
 */
export const MAX_STREAMS_PER_RECEIVER = 20;

/** POST /ssf/streams: a new stream; it receives what happens from now on. */
export async function createStream(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const body = await readBody(request, StreamWrite, token);
  if (body instanceof Response) return body;
  // One change at a time per receiver: two creations at once cannot both pass the count.
  const stream = await receiverChange(token, async (tx) => {
    if ((await tx.ssfStream.count({ where: { tokenId: token.id } })) >= MAX_STREAMS_PER_RECEIVER)
      return null;
    const created = await tx.ssfStream.create({
      data: {
        tokenId: token.id,
        audience: `urn:uuid:${token.id}`,
        ...deliveryFields(body.delivery),
        eventsRequested: body.events_requested ?? [],
        description: body.description ?? null,
        position: await headPosition(tx),
      },
    });
    await audited(tx, token, created, "created");
    return created;
  });
  if (stream === REVOKED) return refuseRevoked(token);
  if (!stream)
    return refuse(
      receiverActor(token),
      409,
      `This receiver has ${MAX_STREAMS_PER_RECEIVER} streams already: delete one before creating another.`,
      "CONFLICT",
    );
  return json(201, streamConfiguration(stream, ssfIssuer()));
}

/** PATCH (what is given) and PUT (the whole configuration) of a stream. */
export async function updateStream(request: Request, replace: boolean): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const body = await readBody(request, replace ? StreamWrite : StreamPatch, token);
  if (body instanceof Response) return body;
  const stream = await ownStream(token, body.stream_id);
  if (stream instanceof Response) return stream;
  const updated = await receiverChange(token, async (tx) => {
    const next = await tx.ssfStream.update({
      where: { id: stream.id },
      data: {
        ...(body.delivery ? deliveryFields(body.delivery) : {}),
        ...(replace || body.events_requested
          ? { eventsRequested: body.events_requested ?? [] }
          : {}),
        ...(replace || body.description !== undefined
          ? { description: body.description ?? null }
          : {}),
      },
    });
    await audited(tx, token, next, replace ? "replaced" : "updated");
    return next;
  });
  if (updated === REVOKED) return refuseRevoked(token);
  return json(200, streamConfiguration(updated, ssfIssuer()));
}

/** DELETE /ssf/streams?stream_id=: the stream and what it had not delivered. */
export async function deleteStream(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const stream = await ownStream(token, new URL(request.url).searchParams.get("stream_id"));
  if (stream instanceof Response) return stream;
  const deleted = await receiverChange(token, async (tx) => {
    await tx.ssfStream.delete({ where: { id: stream.id } });
    await audited(tx, token, stream, "deleted");
  });
  if (deleted === REVOKED) return refuseRevoked(token);
  return new Response(null, { status: 204 });
}

/** GET /ssf/status?stream_id=. */
export async function readStatus(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const stream = await ownStream(token, new URL(request.url).searchParams.get("stream_id"));
  if (stream instanceof Response) return stream;
  return json(200, {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.statusReason ? { reason: stream.statusReason } : {}),
  });
}

/**
 * POST /ssf/status: enabled, paused (events are kept and sent on enabling) or disabled (events
 * are dropped: enabling again starts from what happens next).
 */
export async function writeStatus(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const body = await readBody(request, StatusWrite, token);
  if (body instanceof Response) return body;
  const stream = await ownStream(token, body.stream_id);
  if (stream instanceof Response) return stream;
  const updated = await receiverChange(token, async (tx) => {
    // The status as it is under the receiver's lock, not as read before it: a disabling committed
    // meanwhile still makes this enabling start from the trail's end.
    const before = await tx.ssfStream.findUniqueOrThrow({
      where: { id: stream.id },
      select: { status: true },
    });
    const next = await tx.ssfStream.update({
      where: { id: stream.id },
      data: {
        status: body.status,
        statusReason: body.reason ?? null,
        ...(before.status === "disabled" && body.status !== "disabled"
          ? { position: await headPosition(tx), ackedJtis: [] }
          : {}),
      },
    });
    await audited(tx, token, next, "status");
    return next;
  });
  if (updated === REVOKED) return refuseRevoked(token);
  return json(200, {
    stream_id: updated.id,
    status: updated.status,
    ...(updated.statusReason ? { reason: updated.statusReason } : {}),
  });
}

/**
 * POST /ssf/verify: a verification event, pushed at once to a push stream's endpoint, or, for a
 * poll stream, waiting at the head of its next polls until the receiver acknowledges it.
 */
export async function requestVerification(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const body = await readBody(request, VerificationRequest, token);
  if (body instanceof Response) return body;
  const stream = await ownStream(token, body.stream_id);
  if (stream instanceof Response) return stream;
  if (stream.deliveryMethod !== "push" || !stream.endpointUrl) {
    const asked = await receiverChange(token, async (tx) => {
      await tx.ssfStream.update({
        where: { id: stream.id },
        data: {
          verificationJti: `verification-${randomUUID()}`,
          verificationState: body.state ?? null,
        },
      });
      await audited(tx, token, stream, "verification");
    });
    if (asked === REVOKED) return refuseRevoked(token);
    return new Response(null, { status: 204 });
  }
  const asked = await receiverChange(token, (tx) => audited(tx, token, stream, "verification"));
  if (asked === REVOKED) return refuseRevoked(token);
  const jwt = await signSet({
    issuer: ssfIssuer(),
    audience: stream.audience,
    jti: `verification-${randomUUID()}`,
    subId: { format: "opaque", id: stream.id },
    type: SSF_EVENT_TYPES.verification,
    claims: body.state ? { state: body.state } : {},
  });
  const sent = await pushSet(receiverFetch, stream.endpointUrl, stream.authorizationHeader, jwt);
  // Only the status goes back to the caller: what the endpoint answered (or why it could not be
  // reached) stays here, or a receiver could read services the console can reach through it.
  if (!sent.ok)
    return problem(
      502,
      `The receiver's endpoint did not accept the verification event (${sent.status ? `HTTP ${sent.status}` : "not reachable"}).`,
    );
  return new Response(null, { status: 204 });
}

/** How long a long poll (RFC 8936's default, returnImmediately false) waits for an event. */
export const LONG_POLL_MS = 20_000;

/**
 * POST /ssf/poll/{stream_id} (RFC 8936). With nothing to return and `returnImmediately` not
 * true, the request is held (a long poll) until an audited change commits anywhere (PostgreSQL's
 * LISTEN, decision 023: every instance hears it) and yields an event, or `waitMs` passes, or the
 * receiver goes away; then it answers with what there is.
 */
export async function poll(
  request: Request,
  streamId: string,
  options: { waitMs?: number } = {},
): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const body = await readBody(request, PollRequest, token);
  if (body instanceof Response) return body;
  const stream = await ownStream(token, streamId);
  if (stream instanceof Response) return stream;
  if (stream.deliveryMethod !== "poll")
    return refuse(receiverActor(token), 400, "This stream is delivered by push.", "INVALID_INPUT");
  const maxEvents = body.maxEvents ?? 20;
  const waitMs = body.returnImmediately || maxEvents === 0 ? 0 : (options.waitMs ?? LONG_POLL_MS);
  const deadline = Date.now() + waitMs;
  // Listen before the first read, so a change committed in between still wakes the wait.
  let changed = false;
  let wake: (() => void) | null = null;
  const stopListening =
    waitMs > 0
      ? await subscribeToLiveChanges(() => {
          changed = true;
          wake?.();
        })
      : () => undefined;
  try {
    let ack = body.ack ?? [];
    for (;;) {
      changed = false;
      const result = await pollStream(db, stream.id, { ack, maxEvents }, { issuer: ssfIssuer() });
      ack = [];
      const left = deadline - Date.now();
      if (Object.keys(result.sets).length > 0 || result.moreAvailable || left <= 0)
        return json(200, result);
      if (request.signal.aborted) return json(200, result);
      if (!changed)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          request.signal.addEventListener("abort", done, { once: true });
          wake = done;
          function done() {
            clearTimeout(timer);
            request.signal.removeEventListener("abort", done);
            wake = null;
            resolve();
          }
        });
    }
  } finally {
    stopListening();
  }
}
