/**
 * The console's side of C2SP tlog-witness: submits a signed checkpoint with the consistency proof
 * from the size the witness last cosigned (docs/tlog.md). No "server-only" import: the CLI
 * scripts use it too. The caller verifies the returned cosignature lines with the witness's vkey.
 *
 * A witness that cannot be reached, or does not answer within the timeout, is reported as
 * `refused` with status 0.
 */
import { formatAddCheckpoint, SIZE_CONTENT_TYPE } from "../domain/tlog/witness-protocol";
import { parseDecimal } from "../domain/tlog/checkpoint";

export type WitnessAnswer =
  | { kind: "cosigned"; lines: string[] }
  | { kind: "conflict"; size: number }
  | { kind: "refused"; status: number; message: string };

const MAX_ANSWER = 64 * 1024;

export async function submitToWitness(input: {
  /** The witness's submission prefix, e.g. https://witness.example/ (no add-checkpoint). */
  url: string;
  oldSize: number;
  proof: Buffer[];
  signedNote: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<WitnessAnswer> {
  const doFetch = input.fetch ?? fetch;
  const endpoint = `${input.url.replace(/\/+$/, "")}/add-checkpoint`;
  const body = formatAddCheckpoint({
    oldSize: input.oldSize,
    proof: input.proof,
    note: input.signedNote,
  });
  let response: Response;
  let text: string;
  try {
    response = await doFetch(endpoint, {
      method: "POST",
      body,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      signal: AbortSignal.timeout(input.timeoutMs ?? 10_000),
    });
    text = await response.text();
  } catch (error) {
    return {
      kind: "refused",
      status: 0,
      message: `no answer from ${endpoint}: ${(error as Error).message}`,
    };
  }
  if (text.length > MAX_ANSWER) {
    return { kind: "refused", status: response.status, message: "answer too large" };
  }
  return readAnswer(response.status, response.headers.get("content-type"), text);
}

function readAnswer(status: number, contentType: string | null, text: string): WitnessAnswer {
  if (status === 200) {
    const lines = text.split("\n");
    const valid = text.endsWith("\n") && lines.slice(0, -1).every((l) => l.startsWith("\u2014 "));
    if (!valid || lines.length < 2) {
      return { kind: "refused", status, message: "the witness answered no signature lines" };
    }
    return { kind: "cosigned", lines: lines.slice(0, -1).map((l) => `${l}\n`) };
  }
  if (status === 409 && contentType?.split(";")[0]?.trim() === SIZE_CONTENT_TYPE) {
    const size = text.endsWith("\n") ? parseDecimal(text.slice(0, -1)) : null;
    if (size !== null) return { kind: "conflict", size };
  }
  return { kind: "refused", status, message: text.trim().slice(0, 500) || `HTTP ${status}` };
}
