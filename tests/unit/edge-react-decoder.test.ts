/**
 * A differential test of the edge's server-action body check (lib/domain/edge-rules.ts
 * actionBodyProblem, docs/decisions/014-the-edge.md) against what Next.js and React really do with
 * a body: every body the edge lets through must decode. The edge exists to answer a 400 where
 * Next would answer a 500, so a body it accepts and React fails on is a 500 it let through.
 *
 * The oracle is React's own reply decoder, loaded from Next's compiled copy (the one
 * `next build` bundles into .next: react-server-dom-turbopack; the webpack build's decoder is the
 * same code), fed the way node_modules/next/dist/server/app-render/action-handler.js feeds it on
 * the Node runtime:
 * - a fetch action (a Next-Action header) whose Content-Type starts with "multipart/form-data"
 *   (Next's test is case-sensitive): Next's busboy, piped into decodeReplyFromBusboy;
 * - any other fetch action: the body as UTF-8 text, into decodeReply;
 * - a form posted without JavaScript (multipart, no Next-Action): the Fetch standard's parser,
 *   Next's check that the form names a known action (areAllActionIdsValid), decodeAction, the
 *   action, then decodeFormState;
 * and, for a fetch action, Next's limit on the number of arguments it applies the action to.
 * A decode "succeeds" when it resolves, every thenable in the arguments settles, and no stream
 * emits an error nobody listens to (in Next that is an uncaught exception).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import vm from "node:vm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionBodyProblem, BODY_LIMIT_BYTES } from "@/lib/domain/edge-rules";
import { busboyParser } from "../../scripts/lib/multipart";

const nodeRequire = createRequire(import.meta.url);

/**
 * A CommonJS file of Next's compiled React, with some of its `require`s answered by `deps`. React's
 * server build needs React's "react-server" build (the condition Next's bundler sets for that
 * layer); vitest runs without that condition, and setting it would change every other test. So
 * the files are evaluated here with the react-server builds passed in by hand.
 */
function loadCommonJs(file: string, deps: Record<string, unknown>): unknown {
  const local = createRequire(file);
  const loaded = { exports: {} as unknown };
  const wrapper = vm.runInThisContext(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`,
    { filename: file },
  ) as (...args: unknown[]) => void;
  const requireWith = (id: string) => (id in deps ? deps[id] : local(id));
  wrapper(loaded.exports, requireWith, loaded, file, path.dirname(file));
  return loaded.exports;
}

type ServerManifest = Record<string, { id: string; name: string; chunks: string[] }>;
type Thenable = PromiseLike<unknown>;
type DecodeOptions = { temporaryReferences: unknown };
type Busboy = NodeJS.WritableStream & {
  on(
    event: "file",
    listener: (name: string, stream: NodeJS.ReadableStream, info: unknown) => void,
  ): Busboy;
};
type ReactServer = {
  createTemporaryReferenceSet(): unknown;
  decodeReply(body: string, manifest: ServerManifest, options: DecodeOptions): Thenable;
  decodeReplyFromBusboy(busboy: Busboy, manifest: ServerManifest, options: DecodeOptions): Thenable;
  decodeAction(body: FormData, manifest: ServerManifest): Thenable | null;
  decodeFormState(result: unknown, body: FormData, manifest: ServerManifest): Thenable;
};

const reactServer = nodeRequire("next/dist/compiled/react/cjs/react.react-server.production.js");
const reactDomServer = loadCommonJs(
  nodeRequire.resolve("next/dist/compiled/react-dom/cjs/react-dom.react-server.production.js"),
  { "next/dist/compiled/react": reactServer },
);
const react = loadCommonJs(
  nodeRequire.resolve(
    "next/dist/compiled/react-server-dom-turbopack/cjs/react-server-dom-turbopack-server.node.production.js",
  ),
  { react: reactServer, "react-dom": reactDomServer },
) as ReactServer;
const nextBusboy = nodeRequire("next/dist/compiled/busboy") as (options: {
  headers: Record<string, string>;
  defParamCharset: string;
  limits: { fieldSize: number };
}) => Busboy;

/** Next's cap on a fetch action's arguments (executeActionAndPrepareForRender), read from Next. */
const ARGS_LIMIT = Number(
  /SERVER_ACTION_ARGS_LIMIT = (\d+);/.exec(
    readFileSync(nodeRequire.resolve("next/dist/server/app-render/action-handler.js"), "utf8"),
  )?.[1],
);

/** One server action, as Next's manifest lists it: the ID names an export of a module. */
const ACTION_ID = "7f8adb4092c2b32af1108608719ef0163080793ee4";
const OTHER_ID = "40c0ffee00000000000000000000000000000000aa";
const MODULE_ID = "console-actions";
const manifest: ServerManifest = Object.assign(Object.create(null) as ServerManifest, {
  [ACTION_ID]: { id: MODULE_ID, name: ACTION_ID, chunks: [] },
});
const action = async (..._args: unknown[]) => ({ status: "done" });

// React loads a server reference's module with the bundler's require (Next's __next_require__).
const globals = globalThis as { __next_require__?: (id: string) => unknown };
beforeAll(() => {
  globals.__next_require__ = (id) => {
    if (id !== MODULE_ID) throw new Error(`no module ${id}`);
    return { [ACTION_ID]: action };
  };
});
afterAll(() => {
  delete globals.__next_require__;
});

/** Waits for every thenable among the decoded values (React's chunks, if any got through). */
async function settleAll(value: unknown, seen = new Set<unknown>()): Promise<void> {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as { then?: unknown }).then === "function") {
    await settleAll(await (value as Thenable), seen);
    return;
  }
  if (value instanceof Map || value instanceof Set)
    for (const entry of value) await settleAll(entry, seen);
  else if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)
    for (const child of Object.values(value)) await settleAll(child, seen);
}

/** Next's areAllActionIdsValid: a form only reaches decodeAction if it names a known action. */
function formNamesKnownAction(form: FormData): boolean {
  const known = (id: string) => id.length === 42 && Object.hasOwn(manifest, id);
  let refs = 0;
  let found = false;
  for (const key of form.keys()) {
    if (key.startsWith("$ACTION_ID_")) {
      if (!known(key.slice("$ACTION_ID_".length))) return false;
      found = true;
    } else if (key.startsWith("$ACTION_REF_")) {
      if (++refs > 2) return false;
      const descriptors = form.getAll(`$ACTION_${key.slice("$ACTION_REF_".length)}:0`);
      const descriptor = descriptors[0];
      if (descriptors.length !== 1 || typeof descriptor !== "string") return false;
      if (!descriptor.startsWith('{"id":"')) return false;
      const end = descriptor.indexOf('"', 7);
      if (end === -1 || !known(descriptor.slice(7, end))) return false;
      found = true;
    }
  }
  return found;
}

type Body = { kind: "fetch" | "form"; contentType: string | undefined; body: Uint8Array };

/**
 * What Next and React do with an action's body (see the file's comment); rejects when they fail.
 */
async function nextDecodes({ kind, contentType, body }: Body): Promise<void> {
  const temporaryReferences = react.createTemporaryReferenceSet();
  const multipart = (contentType ?? "").startsWith("multipart/form-data");
  if (kind === "fetch" && multipart) {
    const busboy = nextBusboy({
      headers: { "content-type": contentType! },
      defParamCharset: "utf8",
      limits: { fieldSize: BODY_LIMIT_BYTES },
    });
    // React destroys busboy on some parts before it listens to their stream: that stream's error
    // event then has no listener, which in Next's process is an uncaught exception.
    const unheard: unknown[] = [];
    busboy.on("file", (_name, stream) => {
      stream.on("error", (error) => {
        if (stream.listenerCount("error") === 1) unheard.push(error);
      });
    });
    const [, args] = await Promise.all([
      pipeline(Readable.from([Buffer.from(body)]), busboy),
      react.decodeReplyFromBusboy(busboy, manifest, { temporaryReferences }),
    ]);
    if (unheard.length > 0) throw unheard[0];
    await settleAll(args);
    return callWith(args);
  }
  if (kind === "fetch") {
    if (contentType === "application/x-www-form-urlencoded") return; // Next: not found (404)
    const args = await react.decodeReply(Buffer.from(body).toString("utf-8"), manifest, {
      temporaryReferences,
    });
    await settleAll(args);
    return callWith(args);
  }
  if (!multipart) return; // not an action to Next: it renders the page
  const form = await new Request("http://localhost", {
    method: "POST",
    headers: { "content-type": contentType! },
    body: body as BodyInit,
  }).formData();
  if (!formNamesKnownAction(form)) return; // Next: 400 (or 409), not a 500
  const bound = (await react.decodeAction(form, manifest)) as (...args: unknown[]) => unknown;
  const result = await bound();
  await settleAll(await react.decodeFormState(result, form, manifest));
}

/** Next applies the action to the arguments, refusing more than it allows (a 500). */
async function callWith(args: unknown): Promise<void> {
  if (!Array.isArray(args)) throw new Error("the arguments are not an array");
  if (args.length > ARGS_LIMIT)
    throw new Error(`Server Action arguments list is too long (${args.length})`);
  await action(...(args as unknown[]));
}

const parseFetchForm = busboyParser(BODY_LIMIT_BYTES);

/**
 * The property: the edge refuses the body, or Next and React decode it. Returns whether the edge
 * let it through.
 */
async function refusedOrDecoded(input: Body): Promise<boolean> {
  const problem = await actionBodyProblem({ ...input, parseFetchForm });
  if (problem !== null) return false;
  try {
    await nextDecodes(input);
  } catch (error) {
    throw new Error(
      `the edge let through a ${input.kind} action's body (Content-Type ${String(input.contentType)}) that Next fails on with a 500: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Bodies

const encoder = new TextEncoder();
const BOUNDARY = "EdgeReactBoundaryq7Ztv3Kp";

type Part = {
  name: string | null;
  value: string;
  filename?: string;
  type?: string;
  transferEncoding?: string;
};

/** A multipart body written by hand, so that its parts can be anything a client could send. */
function multipartBody(parts: Part[], contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  // As browsers escape a name or file name in Content-Disposition.
  const quoted = (text: string) =>
    `"${text.replaceAll('"', "%22").replaceAll("\r", "%0D").replaceAll("\n", "%0A")}"`;
  const text = parts
    .map((part) => {
      const headers = [
        `Content-Disposition: form-data${part.name === null ? "" : `; name=${quoted(part.name)}`}${
          part.filename === undefined ? "" : `; filename=${quoted(part.filename)}`
        }`,
        ...(part.type ? [`Content-Type: ${part.type}`] : []),
        ...(part.transferEncoding ? [`Content-Transfer-Encoding: ${part.transferEncoding}`] : []),
      ];
      return `--${BOUNDARY}\r\n${headers.join("\r\n")}\r\n\r\n${part.value}\r\n`;
    })
    .join("");
  return { contentType, body: encoder.encode(`${text}--${BOUNDARY}--\r\n`) };
}

/** Strings in React's reply format: the ones the console's pages send, and all the others. */
const DOLLAR_STRINGS = [
  ...["$$", "$$x", "$u", "$undefined", "$I", "$Infinity", "$N", "$NaN", "$-0", "$-Infinity"],
  ...["$-x", "$D2026-11-24T10:00:00.000Z", "$Dnot a date", "$n0", "$n-12", "$n", "$n-", "$nabc"],
  ...[`$n${"9".repeat(300)}`, `$n-${"9".repeat(300)}`, `$n${"9".repeat(301)}`, "$n1e3", "$n 1"],
  ...["$K1", "$Ka", "$K", "$Kzz", "$K1:x", "$@0", "$@1", "$0", "$1", "$1:a", "$0:0:then"],
  ...["$T", "$Q1", "$W1", "$i1", "$h1", "$B1", "$R1", "$r1", "$X1", "$x1", "$A1", "$o1", "$S1"],
  ...["$V1", "$", "$H", "$Z", "$ "],
];

type Json =
  | { t: "str"; s: string }
  | { t: "raw"; text: string }
  | { t: "arr"; items: Json[] }
  | { t: "obj"; entries: [string, Json][] };

/** JSON text written by hand, so that it can hold "__proto__" keys and duplicate keys. */
function render(value: Json): string {
  switch (value.t) {
    case "str":
      return JSON.stringify(value.s);
    case "raw":
      return value.text;
    case "arr":
      return `[${value.items.map(render).join(",")}]`;
    case "obj":
      return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`).join(",")}}`;
  }
}

const leaf: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...DOLLAR_STRINGS).map((s) => ({ t: "str", s }) as Json),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }).map((s) => ({ t: "str", s }) as Json) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("0", "-0", "1e400", "3.5", "true", "false", "null", "12345678901234567890")
      .map((text) => ({ t: "raw", text }) as Json),
  },
);
const KEYS = ["a", "then", "__proto__", "constructor", "$$typeof", "0", "id", "bound", "a:b", ""];
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc
        .array(tie("json"), { maxLength: 4 })
        .map((items): Json => ({ t: "arr", items })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(
          fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 3 })), tie("json")),
          {
            maxLength: 3,
          },
        )
        .map((entries): Json => ({ t: "obj", entries })),
    },
  ),
}));

/** The text of a reply's arguments: mostly an array, sometimes not JSON at all. */
const replyText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(json, { maxLength: 4 }).map((items) => render({ t: "arr", items })),
  },
  { weight: 1, arbitrary: json.map(render) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", "[", "não é JSON", "[]]", "[1,]", "null", '"$K1"', "\uFEFF[]"),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 40 })
      .map((depth) => "[".repeat(depth) + "]".repeat(depth)),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(999, 1000, 1001, 1500)
      .chain((length) =>
        fc.constantFrom(
          JSON.stringify(Array(length).fill(0)),
          JSON.stringify(Array(length).fill("$u")),
        ),
      ),
  },
);

/** Names React reads as the arguments' part ("+name === 0", or after an "S"), and others. */
const ROOT_ALIASES = ["0", "00", " 0", "0 ", "\t0", "0x0", "0b0", "0o0", "-0", "+0", "0.0", "0e3"];
const fieldName = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...ROOT_ALIASES, ".0", "1e-400", "S0", "S00", "S 0", "S"),
  },
  { weight: 3, arbitrary: fc.constantFrom("1", "S1", "_1_x", "_1_0", "_1_", "0a", "x", "NaN", "") },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
);

const otherPart: fc.Arbitrary<Part> = fc.record(
  {
    name: fc.oneof(
      { weight: 9, arbitrary: fieldName },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    value: fc.oneof(replyText, fc.string({ maxLength: 8 })),
    filename: fc.constantFrom("a.txt", "", "x\\..\\y"),
    type: fc.constantFrom("text/plain", "application/octet-stream", "text/plain; charset=utf-16le"),
    transferEncoding: fc.constantFrom("7bit", "binary", "quoted-printable", "base64", "BASE64"),
  },
  { requiredKeys: ["name", "value"] },
);

const MULTIPART_TYPES = [
  `multipart/form-data; boundary=${BOUNDARY}`,
  `multipart/form-data;boundary="${BOUNDARY}"`,
  `multipart/form-data; charset=utf-8; boundary=${BOUNDARY}`,
  `Multipart/Form-Data; boundary=${BOUNDARY}`,
  `multipart/form-data-x; boundary=${BOUNDARY}`,
];

/** A fetch action's multipart body: usually one "0" with the arguments, among other parts. */
const fetchMultipart: fc.Arbitrary<Body> = fc
  .record({
    root: fc.option(replyText, { freq: 8 }),
    others: fc.array(otherPart, { maxLength: 4 }),
    at: fc.nat(),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant(MULTIPART_TYPES[0]!) },
      { weight: 1, arbitrary: fc.constantFrom(...MULTIPART_TYPES) },
    ),
  })
  .map(({ root, others, at, contentType }) => {
    const parts = [...others];
    if (root !== null) parts.splice(at % (parts.length + 1), 0, { name: "0", value: root });
    return { kind: "fetch" as const, ...multipartBody(parts, contentType) };
  });

/** A fetch action's text body: the arguments as JSON, as React sends simple ones. */
const fetchText: fc.Arbitrary<Body> = fc
  .record({
    text: replyText,
    bom: fc.boolean(),
    contentType: fc.constantFrom(
      "text/plain;charset=UTF-8",
      undefined,
      "application/json",
      "application/x-www-form-urlencoded",
    ),
  })
  .map(({ text, bom, contentType }) => ({
    kind: "fetch" as const,
    contentType,
    body: encoder.encode(bom ? `\uFEFF${text}` : text),
  }));

/** The `$ACTION_<n>:0` descriptor of a form's action, well formed or not. */
const descriptor: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        id: fc.constantFrom(ACTION_ID, ACTION_ID, OTHER_ID, "abc"),
        bound: fc.option(fc.constantFrom("null", '"$@1"', '"$@2"', '"$@0"', '"$@a"', "42", '"$1"')),
        extra: fc.option(fc.tuple(fc.constantFrom(...KEYS), json), { freq: 2 }),
      })
      .map(
        ({ id, bound, extra }) =>
          `{"id":"${id}"${bound === null ? "" : `,"bound":${bound}`}${
            extra === null ? "" : `,${JSON.stringify(extra[0])}:${render(extra[1])}`
          }}`,
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom("{", "[]", "null", `{"id":"${ACTION_ID}x"}`) },
);

/** A form posted without JavaScript, as React renders one (or not quite). */
const formPost: fc.Arbitrary<Body> = fc
  .record({
    // Usually one action; sometimes two (a form's and a submit button's), as React may render.
    actions: fc.array(
      fc.oneof(
        fc
          .constantFrom(ACTION_ID, OTHER_ID)
          .map((id): Part[] => [{ name: `$ACTION_ID_${id}`, value: "" }]),
        fc
          .record({
            ref: fc.constantFrom("1", "2", "x"),
            descriptor,
            args: fc.option(replyText, { freq: 4 }),
            argsAt: fc.constantFrom("1", "2", "10"),
            key: fc.boolean(),
          })
          .map(({ ref, descriptor, args, argsAt, key }): Part[] => [
            { name: `$ACTION_REF_${ref}`, value: "" },
            { name: `$ACTION_${ref}:0`, value: descriptor },
            ...(args === null ? [] : [{ name: `$ACTION_${ref}:${argsAt}`, value: args }]),
            ...(key ? [{ name: "$ACTION_KEY", value: "k0" }] : []),
          ]),
      ),
      { minLength: 1, maxLength: 2 },
    ),
    others: fc.array(otherPart, { maxLength: 3 }),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant(MULTIPART_TYPES[0]!) },
      { weight: 1, arbitrary: fc.constantFrom(...MULTIPART_TYPES) },
    ),
  })
  .map(({ actions, others, contentType }) => ({
    kind: "form" as const,
    ...multipartBody([...others, ...actions.flat()], contentType),
  }));

// ---------------------------------------------------------------------------------------------

describe("a server action's body the edge lets through", () => {
  it("loads React's real decoder and Next's limits", async () => {
    expect(typeof react.decodeReplyFromBusboy).toBe("function");
    expect(ARGS_LIMIT).toBeGreaterThan(0);
    // What the console's pages send decodes, so the harness itself is not what fails below.
    const sent = multipartBody([
      { name: "_1_caseId", value: "6f1c1a4e-9a57-4d0e-8a4b-0c3c1d1e2f30" },
      { name: "0", value: '[{"status":"idle"},"$K1"]' },
    ]);
    expect(await refusedOrDecoded({ kind: "fetch", ...sent })).toBe(true);
    const text = encoder.encode('["token",{"a":1},"$D2026-11-24","$n12","$$x","$undefined"]');
    expect(await refusedOrDecoded({ kind: "fetch", contentType: "text/plain", body: text })).toBe(
      true,
    );
    const form = multipartBody([
      { name: "$ACTION_REF_1", value: "" },
      { name: "$ACTION_1:0", value: `{"id":"${ACTION_ID}","bound":"$@1"}` },
      { name: "$ACTION_1:1", value: '[{"status":"idle"}]' },
      { name: "$ACTION_KEY", value: "k0" },
      { name: "staffId", value: "x" },
    ]);
    expect(await refusedOrDecoded({ kind: "form", ...form })).toBe(true);
    // And React does fail on what the edge refuses (the oracle is not blind).
    await expect(
      nextDecodes({ kind: "fetch", contentType: "text/plain", body: encoder.encode('["$1"]') }),
    ).rejects.toThrow();
  });

  it("decodes in React whenever the edge accepts it (generated bodies)", async () => {
    const numRuns = 4000;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fetchMultipart, fetchText, formPost), async (input) => {
        if (await refusedOrDecoded(input)) accepted++;
      }),
      { seed: 20261124, numRuns },
    );
    // The generators reach React often enough for the property to mean something.
    expect(accepted).toBeGreaterThan(numRuns / 10);
  }, 60_000);

  // Bodies found by reading React's decoder and Next's action handler that the edge lets through.
  it.each<[string, () => Body]>([
    [
      // Next decodes the body with Buffer#toString, which keeps a byte order mark; the edge's
      // TextDecoder drops it. JSON.parse then fails on U+FEFF.
      "a text body that starts with a UTF-8 byte order mark",
      () => ({
        kind: "fetch",
        contentType: "text/plain;charset=UTF-8",
        body: encoder.encode("\uFEFF[]"),
      }),
    ],
    [
      // React counts the digits after "$n" including the sign: 301 characters are over its 300.
      "a negative bigint of 300 digits",
      () => ({
        kind: "fetch",
        contentType: "text/plain",
        body: encoder.encode(`["$n-${"9".repeat(300)}"]`),
      }),
    ],
    [
      // React adds up the lengths of the strings (and slots) under one array of more than one
      // element, and refuses over 1,000,000 ("Maximum array nesting exceeded"); a 1 MB body holds more.
      "arguments whose strings add up to a million characters",
      () => ({
        kind: "fetch",
        contentType: "text/plain",
        body: encoder.encode(`["${"a".repeat(1_000_000)}",0]`),
      }),
    ],
    [
      // Next refuses to apply an action to more than SERVER_ACTION_ARGS_LIMIT (1000) arguments.
      "a call with 1001 arguments",
      () => ({
        kind: "fetch",
        contentType: "text/plain",
        body: encoder.encode(JSON.stringify(Array(1001).fill(0))),
      }),
    ],
    [
      // React refuses to bind more than 1000 arguments to a form's action.
      "a form whose action binds 1001 arguments",
      () => ({
        kind: "form",
        ...multipartBody([
          { name: "$ACTION_REF_1", value: "" },
          { name: "$ACTION_1:0", value: `{"id":"${ACTION_ID}","bound":"$@1"}` },
          { name: "$ACTION_1:1", value: JSON.stringify(Array(1001).fill(0)) },
        ]),
      }),
    ],
    [
      // React decodes the whole descriptor, not just "id" and "bound": a temporary reference (or a
      // reference to a missing part, a bad bigint, deep nesting) anywhere in it throws.
      "a form whose action descriptor carries another key with a reference",
      () => ({
        kind: "form",
        ...multipartBody([
          { name: "$ACTION_REF_1", value: "" },
          { name: "$ACTION_1:0", value: `{"id":"${ACTION_ID}","bound":null,"x":"$T"}` },
        ]),
      }),
    ],
    [
      "a form whose action descriptor nests another key 100,000 deep",
      () => ({
        kind: "form",
        ...multipartBody([
          { name: "$ACTION_REF_1", value: "" },
          {
            name: "$ACTION_1:0",
            value: `{"id":"${ACTION_ID}","bound":null,"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
          },
        ]),
      }),
    ],
    [
      // The edge takes a descriptor without "bound" for one without bound arguments; React's
      // decodeFormState (run when the form has $ACTION_KEY, as a useActionState form does) reads
      // bound.length of it: a TypeError.
      "a form with $ACTION_KEY whose action descriptor has no bound key",
      () => ({
        kind: "form",
        ...multipartBody([
          { name: "$ACTION_REF_1", value: "" },
          { name: "$ACTION_1:0", value: `{"id":"${ACTION_ID}"}` },
          { name: "$ACTION_KEY", value: "k0" },
        ]),
      }),
    ],
    [
      // React destroys busboy on a base64 file part, before it listens to the part's stream: a 500,
      // and an uncaught exception in Next's process.
      "a fetch action's file part sent as base64",
      () => ({
        kind: "fetch",
        ...multipartBody([
          { name: "f", value: "aGk=", filename: "a.txt", transferEncoding: "base64" },
          { name: "0", value: "[]" },
        ]),
      }),
    ],
    [
      // Next's test for a multipart action is case-sensitive (startsWith("multipart/form-data")),
      // the edge's is not: Next reads this body as JSON text.
      "a fetch action's multipart body with the media type in capitals",
      () => ({
        kind: "fetch",
        ...multipartBody([{ name: "0", value: "[]" }], `Multipart/Form-Data; boundary=${BOUNDARY}`),
      }),
    ],
  ])("%s is refused, or decodes", async (_name, body) => {
    await refusedOrDecoded(body());
  });
});
