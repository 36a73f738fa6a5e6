/**
 * Compiles the OCSF event classes the console exports (lib/domain/ocsf.ts) into one JSON Schema
 * (draft 2020-12), from the vendored, unmodified OCSF source in vendor/ocsf-schema-1.9.0-dev/
 * (docs/decisions/018-ocsf-events.md). There is no OCSF validator on npm; this is the smallest
 * honest one: it resolves what the OCSF server resolves for these classes and nothing more.
 *
 * - a class's `extends` chain (authentication → iam → base_event), attributes merged child over
 *   parent, enums merged (the dictionary's 0 Unknown / 99 Other stay);
 * - `$include` of profile files: their attributes carry the profile's name and are left out unless
 *   the profile is applied (none is: the console's events use no profile), and an attribute a class
 *   redeclares with `"profile": null` belongs to the class itself (iam's `actor`);
 * - every attribute's definition from dictionary.json: its type (a data type, with its regex,
 *   max_len, range and values, through the type's own base type; or an object), `is_array`, enum;
 * - objects the same way (`extends`, `$include`, constraints: a child's replace its parent's), as
 *   `$defs` referenced by name, so recursive objects (user → groups, process → parent) compile;
 * - `requirement: required` → `required`; constraints `at_least_one` / `just_one` → anyOf / oneOf;
 * - an enum id and its sibling caption (`status_id` 1 ↔ `status` "Success") must agree, except for
 *   99 Other, whose caption is the source's own label; `type_uid` is `class_uid * 100 +
 *   activity_id`, `class_uid` is `category_uid * 1000 + uid`, names match captions;
 * - nothing but the attributes a class or object defines (`additionalProperties: false`), except
 *   `unmapped` and other attributes of the open `object` type and `json_t`.
 *
 *   npx tsx scripts/ocsf-compile.ts            # writes lib/domain/ocsf-schema.json
 *   npx tsx scripts/ocsf-compile.ts --check    # fails if the committed file differs
 *   npx tsx scripts/ocsf-compile.ts --source <dir> --list-files   # the files a compile reads
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

/** The classes lib/domain/ocsf.ts emits, by OCSF name. */
export const OCSF_CLASSES = ["authentication", "user_management", "entity_management"] as const;
/** Profiles applied to the compiled classes (their attributes are otherwise left out). */
export const OCSF_PROFILES: readonly string[] = [];

export const VENDORED_SCHEMA = path.resolve(import.meta.dirname, "../vendor/ocsf-schema-1.9.0-dev");
export const COMPILED_SCHEMA = path.resolve(import.meta.dirname, "../lib/domain/ocsf-schema.json");

type Json = Record<string, unknown>;
type Enum = Record<string, { caption: string; description?: string }>;
type Attribute = {
  caption?: string;
  type?: string;
  is_array?: boolean;
  requirement?: string;
  enum?: Enum;
  sibling?: string;
  profile?: string | null;
  "@deprecated"?: unknown;
};
type Definition = {
  name: string;
  caption: string;
  uid?: number;
  category?: string;
  extends?: string;
  attributes: Record<string, Attribute>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
};
type JsonSchema = Record<string, unknown>;

export function compileOcsf(source: string = VENDORED_SCHEMA) {
  const read = new Set<string>();
  const load = (file: string): Json => {
    read.add(path.relative(source, file).split(path.sep).join("/"));
    return JSON.parse(readFileSync(file, "utf8")) as Json;
  };
  const index = (dir: string) => {
    const byName = new Map<string, string>();
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(".json")) {
          const { name } = JSON.parse(readFileSync(full, "utf8")) as { name: string };
          byName.set(name, full);
        }
      }
    };
    walk(path.join(source, dir));
    return byName;
  };
  const eventFiles = index("events");
  const objectFiles = index("objects");
  const version = (load(path.join(source, "version.json")) as { version: string }).version;
  const dictionary = load(path.join(source, "dictionary.json")) as {
    attributes: Record<string, Attribute>;
    types: { attributes: Record<string, Json> };
  };
  const categories = (load(path.join(source, "categories.json")) as { attributes: Json })
    .attributes as Record<string, { uid: number; caption: string }>;

  const mergeAttribute = (base: Attribute | undefined, over: Attribute): Attribute => {
    const merged: Attribute = { ...base, ...over };
    if (base?.enum || over.enum) merged.enum = { ...base?.enum, ...over.enum };
    return merged;
  };
  /** A file's own attributes with its `$include`d profiles expanded (profile attributes tagged). */
  const ownAttributes = (file: Json): Record<string, Attribute> => {
    const { $include, ...own } = (file.attributes ?? {}) as Record<string, unknown>;
    const result: Record<string, Attribute> = {};
    for (const included of ($include as string[] | undefined) ?? []) {
      const profile = load(path.join(source, included));
      for (const [name, attribute] of Object.entries(ownAttributes(profile)))
        result[name] = mergeAttribute(result[name], {
          ...attribute,
          profile: attribute.profile ?? (profile.name as string),
        });
    }
    for (const [name, attribute] of Object.entries(own as Record<string, Attribute>))
      result[name] = mergeAttribute(result[name], attribute);
    return result;
  };
  const resolve = (files: Map<string, string>, name: string): Definition => {
    const file = files.get(name);
    if (!file) throw new Error(`OCSF: no definition named ${name}`);
    const own = load(file) as unknown as Definition & Json;
    const parent = own.extends ? resolve(files, own.extends) : undefined;
    const attributes = { ...parent?.attributes };
    for (const [key, attribute] of Object.entries(ownAttributes(own)))
      attributes[key] = mergeAttribute(attributes[key], attribute);
    return {
      ...own,
      category: own.category ?? parent?.category,
      constraints: own.constraints ?? parent?.constraints,
      attributes,
    };
  };

  /** Attributes in effect: dictionary definition, then the class's or object's, minus unapplied profiles. */
  const effective = (definition: Definition) =>
    Object.entries(definition.attributes)
      .filter(([, a]) => !a.profile || OCSF_PROFILES.includes(a.profile))
      .map(([name, local]) => {
        const global = dictionary.attributes[name];
        if (!global) throw new Error(`OCSF: ${definition.name}.${name} is not in the dictionary`);
        return [name, mergeAttribute(global, local)] as const;
      });

  const jsonType = (typeName: string): unknown => {
    const base = dictionary.types.attributes[typeName]?.type as string | undefined;
    return base ? jsonType(base) : typeSchema(typeName).type;
  };
  const types = new Map<string, JsonSchema>();
  /** A data type: the JSON type of its base, and its own constraints (in $defs when it has any). */
  const typeSchema = (typeName: string): JsonSchema => {
    const type = dictionary.types.attributes[typeName];
    if (!type) throw new Error(`OCSF: unknown type ${typeName}`);
    const base: JsonSchema =
      typeName === "string_t"
        ? { type: "string" }
        : typeName === "integer_t" || typeName === "long_t"
          ? { type: "integer" }
          : typeName === "float_t"
            ? { type: "number" }
            : typeName === "boolean_t"
              ? { type: "boolean" }
              : typeName === "json_t"
                ? {}
                : typeSchema(type.type as string);
    const schema: JsonSchema = { ...base };
    if (type.regex) schema.pattern = type.regex;
    if (type.max_len) schema.maxLength = type.max_len;
    if (Array.isArray(type.range)) [schema.minimum, schema.maximum] = type.range as number[];
    if (Array.isArray(type.values) && typeName !== "boolean_t") schema.enum = type.values;
    if (Object.keys(schema).length === Object.keys(base).length) return schema;
    types.set(typeName, { title: type.caption, ...schema });
    return { $ref: `#/$defs/${typeName}` };
  };

  const objects = new Map<string, JsonSchema>();
  const ref = (objectName: string): JsonSchema => {
    // `object` is OCSF's open object (unmapped data): anything goes inside it.
    if (objectName === "object") return { type: "object" };
    if (!objects.has(objectName)) {
      objects.set(objectName, {});
      objects.set(objectName, definitionSchema(resolve(objectFiles, objectName)));
    }
    return { $ref: `#/$defs/${objectName}` };
  };

  const attributeSchema = (attribute: Attribute): JsonSchema => {
    const typeName = attribute.type ?? "string_t";
    let schema: JsonSchema = typeName.endsWith("_t") ? typeSchema(typeName) : ref(typeName);
    if (attribute.enum) {
      const keys = Object.keys(attribute.enum);
      const integer = typeName.endsWith("_t") && jsonType(typeName) === "integer";
      schema = { ...schema, enum: integer ? keys.map(Number) : keys };
    }
    if (attribute.caption) schema = { title: attribute.caption, ...schema };
    if (attribute["@deprecated"]) schema.deprecated = true;
    return attribute.is_array ? { type: "array", items: schema } : schema;
  };

  /** An id and its caption sibling agree (99 Other carries the source's own label). */
  const siblingRules = (attributes: (readonly [string, Attribute])[]): JsonSchema[] => {
    const names = new Set(attributes.map(([name]) => name));
    return attributes
      .filter(([, a]) => a.enum && a.sibling && names.has(a.sibling))
      .map(([name, a]) => ({
        anyOf: [
          { not: { required: [name, a.sibling] } },
          ...Object.entries(a.enum!)
            .filter(([key]) => key !== "99")
            .map(([key, value]) => ({
              properties: {
                [name]: { const: Number(key) },
                [a.sibling!]: { const: value.caption },
              },
            })),
          { properties: { [name]: { const: 99 } } },
        ],
      }));
  };

  function definitionSchema(definition: Definition): JsonSchema {
    const attributes = effective(definition);
    const properties = Object.fromEntries(attributes.map(([n, a]) => [n, attributeSchema(a)]));
    const required = attributes.filter(([, a]) => a.requirement === "required").map(([n]) => n);
    const all: JsonSchema[] = siblingRules(attributes);
    const { at_least_one, just_one } = definition.constraints ?? {};
    if (at_least_one) all.push({ anyOf: at_least_one.map((n) => ({ required: [n] })) });
    if (just_one) all.push({ oneOf: just_one.map((n) => ({ required: [n] })) });
    return {
      title: definition.caption,
      type: "object",
      properties,
      ...(required.length ? { required } : {}),
      ...(all.length ? { allOf: all } : {}),
      additionalProperties: false,
    };
  }

  const classes: Record<string, JsonSchema> = {};
  const classUids: number[] = [];
  for (const name of OCSF_CLASSES) {
    const definition = resolve(eventFiles, name);
    const category = categories[definition.category!]!;
    const classUid = category.uid * 1000 + definition.uid!;
    classUids.push(classUid);
    // The class's own ids replace base_event's (0 Base Event, 0 Uncategorized); the sibling
    // rules then tie them to class_name and category_name.
    definition.attributes.class_uid!.enum = { [classUid]: { caption: definition.caption } };
    definition.attributes.category_uid!.enum = { [category.uid]: { caption: category.caption } };
    const schema = definitionSchema(definition);
    const properties = schema.properties as Record<string, JsonSchema>;
    const activities = Object.entries(
      effective(definition).find(([n]) => n === "activity_id")![1].enum!,
    );
    properties.type_uid = {
      ...properties.type_uid,
      enum: activities.map(([id]) => classUid * 100 + Number(id)),
    };
    (schema.allOf as JsonSchema[]).push({
      anyOf: activities.map(([id, activity]) => ({
        properties: {
          activity_id: { const: Number(id) },
          type_uid: { const: classUid * 100 + Number(id) },
          ...(id === "99"
            ? {}
            : { type_name: { const: `${definition.caption}: ${activity.caption}` } }),
        },
      })),
    });
    classes[name] = schema;
  }

  const schema: JsonSchema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://schema.ocsf.io/${version}/passkey-recovery-console.json`,
    title: `OCSF ${version}: the classes the passkey recovery console exports`,
    $comment:
      "Generated by scripts/ocsf-compile.ts from vendor/ocsf-schema-1.9.0-dev; do not edit by hand.",
    type: "object",
    required: ["class_uid"],
    properties: { class_uid: { enum: classUids } },
    allOf: OCSF_CLASSES.map((name, i) => ({
      if: { properties: { class_uid: { const: classUids[i] } } },
      then: { $ref: `#/$defs/${name}` },
    })),
    $defs: {
      ...classes,
      ...Object.fromEntries([...objects].sort(([a], [b]) => a.localeCompare(b))),
      ...Object.fromEntries([...types].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
  return { schema, version, files: [...read].sort() };
}

if (import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--source");
  const source = at >= 0 ? path.resolve(args[at + 1]!) : VENDORED_SCHEMA;
  if (!existsSync(source)) throw new Error(`no OCSF schema at ${source}`);
  const { schema, files } = compileOcsf(source);
  if (args.includes("--list-files")) {
    console.log(files.join("\n"));
  } else if (args.includes("--check")) {
    const committed = JSON.parse(readFileSync(COMPILED_SCHEMA, "utf8")) as unknown;
    if (!isDeepStrictEqual(committed, schema)) {
      console.error(`${COMPILED_SCHEMA} is out of date: run npx tsx scripts/ocsf-compile.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(COMPILED_SCHEMA, JSON.stringify(schema, null, 2) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), COMPILED_SCHEMA)}`);
  }
}
