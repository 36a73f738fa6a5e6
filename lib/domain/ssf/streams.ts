/**
 * Stream configuration as the Shared Signals Framework's management API reads and writes it
 * (docs/decisions/034-shared-signals.md): the request bodies, parsed at the boundary, and the
 * configuration a receiver reads back. Pure.
 */
import { z } from "zod";
import { SUPPORTED_EVENT_TYPES } from "./events";

export const PUSH_METHOD = "urn:ietf:rfc:8935";
export const POLL_METHOD = "urn:ietf:rfc:8936";
export const STREAM_STATUSES = ["enabled", "paused", "disabled"] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/** Push endpoints are https (http only to the local machine, for development and tests). */
const endpointUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  }, "a push endpoint must be https");

const delivery = z.discriminatedUnion("method", [
  z
    .object({
      method: z.literal(PUSH_METHOD),
      endpoint_url: endpointUrl,
      authorization_header: z.string().min(1).max(2000).optional(),
    })
    .strict(),
  z.object({ method: z.literal(POLL_METHOD), endpoint_url: z.string().optional() }).strict(),
]);

const eventsRequested = z
  .array(z.string().max(200))
  .max(20)
  .refine(
    (types) => types.every((type) => SUPPORTED_EVENT_TYPES.includes(type)),
    "only the supported event types may be requested",
  );

/** POST (create) and PUT (replace): the delivery and the events; the console sets the rest. */
export const StreamWrite = z
  .object({
    stream_id: z.uuid().optional(),
    delivery: delivery,
    events_requested: eventsRequested.optional(),
    description: z.string().max(200).optional(),
  })
  .strict();

/** PATCH: what is given changes. */
export const StreamPatch = z
  .object({
    stream_id: z.uuid(),
    delivery: delivery.optional(),
    events_requested: eventsRequested.optional(),
    description: z.string().max(200).optional(),
  })
  .strict();

export const StatusWrite = z
  .object({
    stream_id: z.uuid(),
    status: z.enum(STREAM_STATUSES),
    reason: z.string().max(200).optional(),
  })
  .strict();

export const VerificationRequest = z
  .object({ stream_id: z.uuid(), state: z.string().max(200).optional() })
  .strict();

/** RFC 8936 poll request. */
export const PollRequest = z
  .object({
    ack: z.array(z.string().max(100)).max(1000).optional(),
    setErrs: z.record(z.string(), z.unknown()).optional(),
    returnImmediately: z.boolean().optional(),
    maxEvents: z.number().int().min(0).max(100).optional(),
  })
  .strict();

export type StoredStream = {
  id: string;
  audience: string;
  deliveryMethod: string;
  endpointUrl: string | null;
  eventsRequested: readonly string[];
  description: string | null;
};

/** The stream's configuration as the receiver reads it (never the authorization header it gave). */
export function streamConfiguration(stream: StoredStream, issuer: string) {
  const push = stream.deliveryMethod === "push";
  const requested = stream.eventsRequested.length > 0 ? stream.eventsRequested : null;
  return {
    stream_id: stream.id,
    iss: issuer,
    aud: stream.audience,
    delivery: push
      ? { method: PUSH_METHOD, endpoint_url: stream.endpointUrl }
      : { method: POLL_METHOD, endpoint_url: `${issuer}/ssf/poll/${stream.id}` },
    events_supported: SUPPORTED_EVENT_TYPES,
    events_requested: requested ?? SUPPORTED_EVENT_TYPES,
    events_delivered: requested ?? SUPPORTED_EVENT_TYPES,
    ...(stream.description ? { description: stream.description } : {}),
  };
}

/** The transmitter's metadata (/.well-known/ssf-configuration). */
export function transmitterMetadata(issuer: string) {
  return {
    spec_version: "1_0",
    issuer,
    jwks_uri: `${issuer}/ssf/jwks`,
    delivery_methods_supported: [PUSH_METHOD, POLL_METHOD],
    configuration_endpoint: `${issuer}/ssf/streams`,
    status_endpoint: `${issuer}/ssf/status`,
    verification_endpoint: `${issuer}/ssf/verify`,
    authorization_schemes: [{ spec_urn: "urn:ietf:rfc:6750" }],
    default_subjects: "ALL",
  };
}
