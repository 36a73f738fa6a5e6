/**
 * The witnesses the console submits its audit checkpoints to (AUDIT_WITNESSES): a JSON list of
 * {name, url, vkey}, where vkey is the witness's verifier key (its cosignatures are checked with
 * it before they are stored). See docs/decisions/017-verifiable-audit-log.md.
 */
import { z } from "zod";
import { isKeyName } from "./tlog/note";

export type WitnessConfig = { name: string; url: string; vkey: string };

export const WitnessListSchema = z
  .array(
    z
      .object({
        name: z.string().min(1).max(200).refine(isKeyName, "not a valid key name"),
        url: z.url({ protocol: /^https?$/ }),
        vkey: z.string().min(1).max(1000),
      })
      .strict(),
  )
  .max(20)
  .refine((list) => new Set(list.map((w) => w.name)).size === list.length, "witness names repeat");

export function parseWitnesses(text: string | undefined): WitnessConfig[] {
  if (!text?.trim()) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("AUDIT_WITNESSES must be a JSON list of {name, url, vkey}");
  }
  return WitnessListSchema.parse(json);
}
