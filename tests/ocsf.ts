/**
 * The compiled OCSF schema (lib/domain/ocsf-schema.json, docs/decisions/018-ocsf-events.md) as an
 * Ajv validator, for tests. `strictRequired` is off because the schema's sibling rules say "not
 * both of these", naming attributes that the rule itself does not define.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import schema from "@/lib/domain/ocsf-schema.json";

export const validateOcsf = new Ajv2020({ allErrors: true, strictRequired: false }).compile(schema);

/** The first validation errors, for an assertion's message. */
export function ocsfErrors(): string {
  return JSON.stringify(validateOcsf.errors?.slice(0, 5), null, 1);
}
