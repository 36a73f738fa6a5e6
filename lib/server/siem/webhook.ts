/**
 * The webhook sink: POSTs a batch as JSON Lines, signed with HMAC-SHA256 over
 * `timestamp + "." + body` under the sink's key, with the batch's positions and an idempotency
 * key. A 2xx answer acknowledges the batch; a 4xx other than 408 and 429 refuses it for good.
 *
 * NOTE: not marked "server-only": `npm run siem:replay` (plain Node) sends too.
 */
import { createHash, createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { replyExcerpt, urlSecrets } from "@/lib/domain/reply-excerpt";
import { permanentHttpStatus, type WebhookSink } from "@/lib/domain/siem-sinks";
import { hmacKeysFromText, signatureHeader } from "@/lib/domain/webhook-signature";
import { errorText, type FormattedBatch, type SendResult } from "./types";

/**
 * The HMAC keys: the file is read at every send, so a rotated key is used without a restart. Two
 * lines while a rotation is under way (the new key first): both sign, and the receiver accepts
 * either, so it can switch to the new key whenever it likes.
 */
async function hmacKeys(sink: WebhookSink): Promise<Buffer[]> {
  // The error names the sink, not the file: lastError is shown on the reviewer page.
  const text =
    "value" in sink.secret
      ? sink.secret.value
      : await readFile(sink.secret.file).then(
          (bytes) => bytes.toString("utf8"),
          (error: NodeJS.ErrnoException) => {
            throw new Error(
              `the HMAC key file of sink "${sink.name}" cannot be read (${error.code})`,
            );
          },
        );
  const read = hmacKeysFromText(text);
  if (!read.ok) throw new Error(`the HMAC key file of sink "${sink.name}" ${read.problem}`);
  return read.keys.map((key) => Buffer.from(key, "utf8"));
}

/** `sha256=<hex>` of HMAC-SHA256(key, timestamp + "." + body): what receivers check. */
export function webhookSignature(key: Buffer | string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", key).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

/**
 * The same for every sending of the same positions to the same sink (the rows at a position never
 * change), so a receiver can drop a batch it has already taken. Batches of a retry may end later
 * than the first try did; receivers should also drop events by position or eventId.
 */
export function idempotencyKey(sink: string, first: bigint, last: bigint): string {
  return createHash("sha256").update(`${sink}\n${first}\n${last}`, "utf8").digest("hex");
}

export async function sendWebhook(sink: WebhookSink, batch: FormattedBatch): Promise<SendResult> {
  const body = batch.lines.map((line) => `${line}\n`).join("");
  const timestamp = String(Math.floor(Date.now() / 1000));
  let response: Response;
  try {
    const keys = await hmacKeys(sink);
    response = await fetch(sink.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(sink.timeoutMs),
      headers: {
        ...sink.headers,
        "Content-Type": "application/x-ndjson",
        "X-Console-Signature": signatureHeader(
          keys.map((key) => webhookSignature(key, timestamp, body)),
        ),
        "X-Console-Timestamp": timestamp,
        "X-Console-Batch": `${batch.first}-${batch.last}`,
        "Idempotency-Key": idempotencyKey(sink.name, batch.first, batch.last),
      },
      body,
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      permanent: false,
      error: timedOut ? `no answer within ${sink.timeoutMs} ms` : errorText(error),
    };
  }
  // Only the status matters; the body is read (and dropped) so the connection can be reused.
  const text = await response.text().catch(() => "");
  if (response.status >= 200 && response.status < 300) return { ok: true };
  // The sink's headers may carry its credential (an HEC token), and its URL may be one (a token in
  // the path or the query): never quoted back.
  const snippet = replyExcerpt(text, [...Object.values(sink.headers), ...urlSecrets(sink.url)]);
  return {
    ok: false,
    permanent: permanentHttpStatus(response.status),
    error: `HTTP ${response.status}${snippet ? `: ${snippet}` : ""}`,
  };
}
