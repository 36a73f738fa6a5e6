/**
 * SCIM list filters (RFC 7644 §3.4.2.2), parsed with scim2-parse-filter (which refuses malformed
 * filters) and translated through an allow-list of the attributes identity providers filter on
 * into a Prisma where. Anything else (another attribute, `not`, `gt` on a name…) is refused with
 * invalidFilter rather than guessed at.
 */
import { parse, type Filter } from "scim2-parse-filter";
import { escapeLike } from "../like-pattern";
import type { EmploymentStatus } from "../workforce";
import { ENTERPRISE_USER, ScimError } from "./schemas";
import { isUuid } from "../uuid";

type TextFilter = {
  equals?: string;
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  mode: "insensitive";
};
/** The part of a Prisma where over WorkforceUser that filters translate to (lib/domain stays pure). */
export type ScimUserWhere = {
  AND?: ScimUserWhere[];
  OR?: ScimUserWhere[];
  id?: string | { in: string[] };
  status?: { in: EmploymentStatus[] };
  scimUserName?: TextFilter;
  scimExternalId?: TextFilter;
  name?: TextFilter;
  employeeId?: TextFilter;
  department?: TextFilter;
  emails?: { some: { address: TextFilter } };
};
type Where = ScimUserWhere;
type TextOp = "eq" | "co" | "sw" | "ew";

/** Text attributes: how each operator reads on the column (case-insensitive, as SCIM says). */
const TEXT: Record<string, { ops: readonly TextOp[]; where: (cond: TextFilter) => Where }> = {
  username: { ops: ["eq", "co", "sw", "ew"], where: (c) => ({ scimUserName: c }) },
  externalid: { ops: ["eq"], where: (c) => ({ scimExternalId: c }) },
  displayname: { ops: ["eq", "co", "sw"], where: (c) => ({ name: c }) },
  "name.formatted": { ops: ["eq", "co", "sw"], where: (c) => ({ name: c }) },
  emails: { ops: ["eq", "co", "sw", "ew"], where: (c) => ({ emails: { some: { address: c } } }) },
  "emails.value": {
    ops: ["eq", "co", "sw", "ew"],
    where: (c) => ({ emails: { some: { address: c } } }),
  },
  [`${ENTERPRISE_USER}:employeenumber`.toLowerCase()]: {
    ops: ["eq", "sw"],
    where: (c) => ({ employeeId: c }),
  },
  [`${ENTERPRISE_USER}:department`.toLowerCase()]: {
    ops: ["eq", "co", "sw"],
    where: (c) => ({ department: c }),
  },
};

const MAX_DEPTH = 8;

function textCondition(op: TextOp, value: string): TextFilter {
  const mode = "insensitive" as const;
  // Case-insensitive matches are ILIKE in SQL, where % and _ are wildcards: the value is taken
  // literally (userName eq "a_b@x" must not also find "axb@x", the lookup before every leaver).
  const literal = escapeLike(value);
  if (op === "eq") return { equals: literal, mode };
  if (op === "co") return { contains: literal, mode };
  if (op === "sw") return { startsWith: literal, mode };
  return { endsWith: literal, mode };
}

function translate(f: Filter, depth: number): Where {
  if (depth > MAX_DEPTH)
    throw new ScimError(400, "invalidFilter", "The filter is nested too deeply.");
  if (f.op === "and" || f.op === "or") {
    const parts = (f as { filters: Filter[] }).filters.map((x) => translate(x, depth + 1));
    return f.op === "and" ? { AND: parts } : { OR: parts };
  }
  if (f.op === "not" || f.op === "[]" || f.op === "pr")
    throw new ScimError(400, "invalidFilter", `The console does not filter with "${f.op}".`);
  const { attrPath, compValue } = f as { attrPath: string; compValue: unknown };
  const name = attrPath.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/, "");
  if (name === "id") {
    if (f.op !== "eq" || typeof compValue !== "string")
      throw new ScimError(400, "invalidFilter", "id is filtered with eq only.");
    // Not a uuid: matches nobody (rather than a database error).
    return isUuid(compValue) ? { id: compValue } : { id: { in: [] } };
  }
  if (name === "active") {
    if (f.op !== "eq" || typeof compValue !== "boolean")
      throw new ScimError(400, "invalidFilter", "active is filtered with eq true or eq false.");
    return compValue
      ? { status: { in: ["ACTIVE", "LEAVING"] } }
      : { status: { in: ["LEFT", "SUSPENDED"] } };
  }
  const rule = TEXT[name];
  if (!rule)
    throw new ScimError(
      400,
      "invalidFilter",
      `The console does not filter on "${attrPath.slice(0, 80)}".`,
    );
  if (!(rule.ops as readonly string[]).includes(f.op))
    throw new ScimError(
      400,
      "invalidFilter",
      `"${attrPath.slice(0, 80)}" is not filtered with ${f.op}.`,
    );
  if (typeof compValue !== "string")
    throw new ScimError(400, "invalidFilter", `"${attrPath.slice(0, 80)}" compares with a string.`);
  // A filter's string is JSON (RFC 7644 §3.4.2.2): "\\" is one backslash. The parser undoes
  // escaped quotes but keeps escaped backslashes doubled.
  return rule.where(textCondition(f.op as TextOp, compValue.replace(/\\\\/g, "\\")));
}

/** A SCIM filter as a Prisma where over WorkforceUser, or invalidFilter. */
export function scimFilterToWhere(filter: string): Where {
  if (filter.length > 1000) throw new ScimError(400, "invalidFilter", "The filter is too long.");
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch {
    throw new ScimError(400, "invalidFilter", "The filter does not parse.");
  }
  return translate(ast, 0);
}
