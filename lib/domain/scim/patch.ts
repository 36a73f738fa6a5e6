/**
 * SCIM PATCH (RFC 7644 §3.5.2) on a normalized user document, with the shapes identity providers
 * really send brought to the RFC's first: Entra's capitalised ops ("Replace") and string booleans
 * ("False", which a naive apply keeps truthy), a path-less op whose value names attributes with
 * paths or URNs ({"name.givenName": …}, Okta's {"active": false}), and a filter on a multi-valued
 * attribute that matches nothing yet (Entra's `emails[type eq "work"].value` on a new user:
 * added). The result is parsed like a replaced user (user.ts), so a patch cannot store what PUT
 * would refuse.
 */
import { filter as compileFilter, parse as parseFilter, type Filter } from "scim2-parse-filter";
import { z } from "zod";
import {
  canonicalAttribute,
  CORE_USER,
  PATCH_OP,
  ScimError,
  splitUrn,
  type SchemaUrn,
} from "./schemas";
import type { ScimDocument } from "./user";

export type PatchOp = { op: "add" | "replace" | "remove"; path: string | null; value: unknown };

const PatchBody = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(PATCH_OP), "must name the PatchOp schema"),
  Operations: z
    .array(
      z.looseObject({
        op: z
          .string()
          .transform((v) => v.toLowerCase())
          .pipe(z.enum(["add", "replace", "remove"])),
        path: z.string().max(300).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(50),
});

/** The body of a PATCH request as a list of ops, Entra's capitalised op names accepted. */
export function parsePatch(body: unknown): PatchOp[] {
  const parsed = PatchBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScimError(400, "invalidSyntax", `PatchOp ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data.Operations.map((o) => {
    if (o.op !== "remove" && o.value === undefined)
      throw new ScimError(400, "invalidValue", `A ${o.op} needs a value.`);
    if (o.op === "remove" && !o.path)
      throw new ScimError(400, "noTarget", "A remove needs a path.");
    return { op: o.op, path: o.path ?? null, value: o.value };
  });
}

type Target = { slot: keyof ScimDocument; attr: string; filter: Filter | null; sub: string | null };

const SLOT: Record<SchemaUrn, keyof ScimDocument> = {
  "urn:ietf:params:scim:schemas:core:2.0:User": "core",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "enterprise",
  "urn:passkey-recovery-console:scim:schemas:extension:2.0:User": "console",
};

/** A PATCH path: [urn:]attr[.sub] or [urn:]attr[filter][.sub]. */
export function parsePath(path: string): Target {
  const urn = splitUrn(path);
  const schema = urn?.schema ?? CORE_USER;
  const rest = urn ? urn.rest : path;
  const match = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!match)
    throw new ScimError(400, "invalidPath", `The path "${path.slice(0, 80)}" is not valid.`);
  const attr = canonicalAttribute(schema, match[1]!);
  if (!attr)
    throw new ScimError(400, "invalidPath", `Unknown attribute "${match[1]!.slice(0, 80)}".`);
  let filter: Filter | null = null;
  if (match[2]) {
    try {
      filter = parseFilter(match[2]);
    } catch {
      throw new ScimError(400, "invalidFilter", "The filter in the path does not parse.");
    }
  }
  return { slot: SLOT[schema], attr, filter, sub: match[3] ?? null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The attribute/value pairs a filter's `eq`s fix, to build the element a filter matched none of. */
function fixedBy(filter: Filter): Record<string, unknown> {
  if (filter.op === "eq" && "attrPath" in filter) return { [filter.attrPath]: filter.compValue };
  if (filter.op === "and" && "filters" in filter)
    return Object.assign({}, ...filter.filters.map(fixedBy));
  return {};
}

function applyOne(doc: ScimDocument, op: PatchOp["op"], target: Target, value: unknown) {
  const container = doc[target.slot];
  if (target.filter) {
    const current = container[target.attr];
    const list = Array.isArray(current) ? [...(current as unknown[])] : [];
    const matches = compileFilter(target.filter);
    const hit = list.map((el) => isObject(el) && matches(el));
    if (op === "remove") {
      container[target.attr] = target.sub
        ? list.map((el, i) => {
            if (!hit[i] || !isObject(el)) return el;
            const copy = { ...el };
            delete copy[target.sub!];
            return copy;
          })
        : list.filter((_, i) => !hit[i]);
      return;
    }
    if (!hit.some(Boolean)) {
      // Nothing matched: an add, or Entra's replace of a value the user does not have yet.
      const fresh = { ...fixedBy(target.filter) };
      if (target.sub) fresh[target.sub] = value;
      else if (isObject(value)) Object.assign(fresh, value);
      else throw new ScimError(400, "invalidValue", "The value must be an object.");
      container[target.attr] = [...list, fresh];
      return;
    }
    container[target.attr] = list.map((el, i) => {
      if (!hit[i] || !isObject(el)) return el;
      if (target.sub) return { ...el, [target.sub]: value };
      if (!isObject(value))
        throw new ScimError(400, "invalidValue", "The value must be an object.");
      return op === "add" ? { ...el, ...value } : { ...value };
    });
    return;
  }
  if (target.sub) {
    if (op === "remove") {
      if (isObject(container[target.attr])) {
        const copy = { ...(container[target.attr] as Record<string, unknown>) };
        delete copy[target.sub];
        container[target.attr] = copy;
      }
      return;
    }
    const base = isObject(container[target.attr]) ? (container[target.attr] as object) : {};
    container[target.attr] = { ...base, [target.sub]: value };
    return;
  }
  if (op === "remove") {
    delete container[target.attr];
    return;
  }
  const current = container[target.attr];
  if (op === "add" && Array.isArray(current) && Array.isArray(value)) {
    container[target.attr] = [...(current as unknown[]), ...(value as unknown[])];
  } else if (op === "add" && isObject(current) && isObject(value)) {
    container[target.attr] = { ...current, ...value };
  } else {
    container[target.attr] = value;
  }
}

/** Applies the ops in order to a copy of the document; a bad path or value is a SCIM error. */
export function applyPatch(doc: ScimDocument, ops: readonly PatchOp[]): ScimDocument {
  const next: ScimDocument = structuredClone(doc);
  for (const { op, path, value } of ops) {
    if (path) {
      applyOne(next, op, parsePath(path), value);
      continue;
    }
    // No path: the value is an object of attributes (keys may be paths or schema URNs).
    if (!isObject(value))
      throw new ScimError(400, "invalidValue", "An op without a path needs an object value.");
    for (const [key, v] of Object.entries(value)) {
      const urn = splitUrn(key);
      if (urn && urn.rest === "" && urn.schema !== CORE_USER) {
        if (!isObject(v)) throw new ScimError(400, "invalidValue", `${key} must be an object.`);
        for (const [inner, w] of Object.entries(v))
          applyOne(next, op, parsePath(`${urn.schema}:${inner}`), w);
      } else {
        applyOne(next, op, parsePath(key), v);
      }
    }
  }
  return next;
}
