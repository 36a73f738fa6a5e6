import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionBodyProblem,
  BAD_PATH,
  crossSiteRefusal,
  declaredLengthTooLarge,
  FOREIGN_REQUEST,
  jsonObjectProblem,
  MALFORMED_BODY,
  parseLikeFetch,
  pathProblem,
  targetTooLong,
  URL_LIMIT_BYTES,
  replyProblem,
  resolvesRoot,
  routeRefusal,
  serverActionKind,
  UNEXPECTED_REPLY,
} from "./edge-rules";

const ORIGIN = "https://console.northwind.example";
const encode = (text: string) => new TextEncoder().encode(text);

/** A form as the browser's fetch would send it: the body bytes and the Content-Type with its boundary. */
async function multipart(entries: [string, string | Blob][]) {
  const form = new FormData();
  for (const [key, value] of entries) form.append(key, value);
  const response = new Response(form);
  return {
    contentType: response.headers.get("content-type")!,
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

describe("serverActionKind", () => {
  it("follows Next: a POST with Next-Action is a fetch action, a multipart POST a form action", () => {
    expect(serverActionKind("POST", { "next-action": "7f00" })).toBe("fetch");
    expect(serverActionKind("POST", { "next-action": "" })).toBe("fetch");
    expect(serverActionKind("POST", { "content-type": "Multipart/Form-Data; boundary=x" })).toBe(
      "form",
    );
    expect(serverActionKind("POST", { "content-type": "application/x-www-form-urlencoded" })).toBe(
      null,
    );
    expect(serverActionKind("GET", { "next-action": "7f00" })).toBe(null);
    expect(serverActionKind("PUT", { "content-type": "multipart/form-data" })).toBe(null);
  });
});

describe("crossSiteRefusal", () => {
  it("accepts only the console's own Origin, and never a cross-site fetch", () => {
    const refusal = (origin?: string, secFetchSite?: string) =>
      crossSiteRefusal({ origin, secFetchSite, publicOrigin: ORIGIN });
    expect(refusal(ORIGIN)).toBeNull();
    expect(refusal(ORIGIN, "same-origin")).toBeNull();
    expect(refusal(ORIGIN, "cross-site")).toBe(FOREIGN_REQUEST);
    expect(refusal(undefined)).toBe(FOREIGN_REQUEST);
    expect(refusal("null")).toBe(FOREIGN_REQUEST);
    expect(refusal("https://evil.example")).toBe(FOREIGN_REQUEST);
    expect(refusal(`${ORIGIN}.evil.example`)).toBe(FOREIGN_REQUEST);
    expect(refusal("http://console.northwind.example")).toBe(FOREIGN_REQUEST);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl().map((url) => new URL(url).origin),
          fc.string(),
        ),
        (origin) => {
          fc.pre(origin !== ORIGIN);
          expect(refusal(origin)).toBe(FOREIGN_REQUEST);
        },
      ),
    );
  });
});

describe("routeRefusal for a bearer-token API (Shared Signals receivers)", () => {
  it("lets a program's request (no Origin) through to its token check, and still refuses browsers from elsewhere", () => {
    const refusal = (origin: string | undefined, site: string | undefined) =>
      routeRefusal({
        method: "POST",
        origin,
        secFetchSite: site,
        secFetchMode: undefined,
        publicOrigin: ORIGIN,
        bearerApi: true,
      });
    expect(refusal(undefined, undefined)).toBeNull();
    expect(refusal(ORIGIN, "same-origin")).toBeNull();
    expect(refusal("https://evil.example", "cross-site")).toBe(FOREIGN_REQUEST);
    expect(refusal("https://evil.example", undefined)).toBe(FOREIGN_REQUEST);
    expect(refusal(undefined, "cross-site")).toBe(FOREIGN_REQUEST);
  });
});

describe("routeRefusal", () => {
  const refusal = (
    method: string,
    headers: { origin?: string; site?: string; mode?: string },
    crossSiteNavigation = false,
  ) =>
    routeRefusal({
      method,
      origin: headers.origin,
      secFetchSite: headers.site,
      secFetchMode: headers.mode,
      publicOrigin: ORIGIN,
      crossSiteNavigation,
    });

  it("refuses cross-site requests, except GET navigations where the handler allows them", () => {
    expect(refusal("GET", {})).toBeNull();
    expect(refusal("GET", { site: "same-origin" })).toBeNull();
    expect(refusal("GET", { site: "cross-site", mode: "navigate" })).toBe(FOREIGN_REQUEST);
    expect(refusal("GET", { site: "cross-site", mode: "navigate" }, true)).toBeNull();
    expect(refusal("GET", { site: "cross-site", mode: "cors" }, true)).toBe(FOREIGN_REQUEST);
    expect(refusal("POST", { origin: ORIGIN, site: "cross-site", mode: "navigate" }, true)).toBe(
      FOREIGN_REQUEST,
    );
  });

  it("needs the console's Origin on anything that is not GET, HEAD or OPTIONS", () => {
    expect(refusal("POST", { origin: ORIGIN })).toBeNull();
    expect(refusal("POST", {})).toBe(FOREIGN_REQUEST);
    expect(refusal("DELETE", { origin: "https://evil.example" })).toBe(FOREIGN_REQUEST);
    expect(refusal("HEAD", {})).toBeNull();
  });

  it("lets a bearer API's server callers write without an Origin, never a foreign page", () => {
    const bearer = (method: string, headers: { origin?: string; site?: string }) =>
      routeRefusal({
        method,
        origin: headers.origin,
        secFetchSite: headers.site,
        secFetchMode: undefined,
        publicOrigin: ORIGIN,
        bearerApi: true,
      });
    expect(bearer("POST", {})).toBeNull();
    expect(bearer("PATCH", { origin: ORIGIN })).toBeNull();
    expect(bearer("DELETE", { origin: "https://evil.example" })).toBe(FOREIGN_REQUEST);
    expect(bearer("PUT", { site: "cross-site" })).toBe(FOREIGN_REQUEST);
    expect(bearer("GET", { site: "cross-site" })).toBe(FOREIGN_REQUEST);
  });
});

describe("pathProblem", () => {
  it.each([
    ["/users", null],
    ["/cases/%E2%82%AC?x=%ff", null],
    ["/users/%ff", BAD_PATH],
    ["/api/auth/%E0%A4%A", BAD_PATH],
    ["/%", BAD_PATH],
    ["/a%2", BAD_PATH],
  ])("%s → %s", (target, expected) => {
    expect(pathProblem(target)).toBe(expected);
  });
});

describe("declaredLengthTooLarge", () => {
  it("compares a declared length with the limit", () => {
    expect(declaredLengthTooLarge(undefined, 10)).toBe(false);
    expect(declaredLengthTooLarge("10", 10)).toBe(false);
    expect(declaredLengthTooLarge("11", 10)).toBe(true);
    expect(declaredLengthTooLarge("1e9", 10)).toBe(true);
  });
});

describe("replyProblem", () => {
  it.each([
    ["[]", null],
    ['[{"status":"idle"},"$K1"]', null],
    ['[{"id":"abc","rawId":"abc","response":{"clientDataJSON":"x"}}]', null],
    ['["$$escaped","$undefined","$NaN","$Infinity","$-Infinity","$-0","$D2026-11-22"]', null],
    ['["$n12345678901234567890"]', null],
    ['["$nabc"]', UNEXPECTED_REPLY],
    [`["$n${"9".repeat(301)}"]`, UNEXPECTED_REPLY],
    ['["$1"]', UNEXPECTED_REPLY],
    ['["$@1"]', UNEXPECTED_REPLY],
    ['["$T"]', UNEXPECTED_REPLY],
    ['["$F1"]', UNEXPECTED_REPLY],
    ['["$h1"]', UNEXPECTED_REPLY],
    ['["$Q1"]', UNEXPECTED_REPLY],
    ['["$W1"]', UNEXPECTED_REPLY],
    ['["$B1"]', UNEXPECTED_REPLY],
    ['["$R1"]', UNEXPECTED_REPLY],
    ['["$1:__proto__:then"]', UNEXPECTED_REPLY],
    ['[{"__proto__":{"then":1}}]', UNEXPECTED_REPLY],
    ['[{"a":{"b":["$0:a"]}}]', UNEXPECTED_REPLY],
    ['{"a":1}', UNEXPECTED_REPLY],
    ['"text"', UNEXPECTED_REPLY],
    ["[", MALFORMED_BODY],
    ["", MALFORMED_BODY],
    [`${"[".repeat(40)}${"]".repeat(40)}`, UNEXPECTED_REPLY],
    [`${"[".repeat(20)}${"]".repeat(20)}`, null],
  ])("%s → %s", (text, expected) => {
    expect(replyProblem(text, { multipart: false })).toBe(
      expected === null && text.includes("$K") ? UNEXPECTED_REPLY : expected,
    );
    expect(replyProblem(text, { multipart: true })).toBe(expected);
  });

  it("accepts any plain JSON arguments, and refuses them once they refer to another part", () => {
    const plain = fc
      .jsonValue({ maxDepth: 6 })
      // "$…" strings refer to other parts, and a "__proto__" key is refused on purpose (its own
      // test): neither is plain.
      .filter((value) => !/"\$|"__proto__"/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(
        fc.array(plain, { maxLength: 4 }),
        fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 1, maxLength: 4 }),
        (args, id) => {
          expect(replyProblem(JSON.stringify(args), { multipart: false })).toBeNull();
          expect(
            replyProblem(JSON.stringify([...args, { part: `$${id}` }]), { multipart: true }),
          ).toBe(UNEXPECTED_REPLY);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("handles nesting far deeper than any call stack without recursing", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(replyProblem(deep, { multipart: false })).toBe(UNEXPECTED_REPLY);
  });
});

describe("actionBodyProblem", () => {
  it("accepts what the console's pages send: a form action's multipart body, a call's JSON", async () => {
    const form = await multipart([
      ["_1_caseId", "6f1c1a4e-9a57-4d0e-8a4b-0c3c1d1e2f30"],
      ["_1_note", "Line one\r\nline two"],
      ["0", '[{"status":"idle"},"$K1"]'],
    ]);
    expect(
      await actionBodyProblem({ kind: "fetch", ...form, parseFetchForm: parseLikeFetch }),
    ).toBeNull();
    for (const contentType of ["text/plain;charset=UTF-8", undefined, "application/json"])
      expect(
        await actionBodyProblem({
          kind: "fetch",
          contentType,
          body: encode('["token",{"a":1}]'),
          parseFetchForm: parseLikeFetch,
        }),
      ).toBeNull();
  });

  it("refuses bodies Next or React would fail on", async () => {
    const fetchAction = (contentType: string | undefined, body: Uint8Array) =>
      actionBodyProblem({ kind: "fetch", contentType, body, parseFetchForm: parseLikeFetch });
    expect(await fetchAction("text/plain", encode("[{"))).toBe(MALFORMED_BODY);
    expect(await fetchAction("text/plain", new Uint8Array([0x5b, 0x22, 0xff, 0x22, 0x5d]))).toBe(
      MALFORMED_BODY,
    );
    expect(await fetchAction("text/plain", new Uint8Array())).toBe(MALFORMED_BODY);
    expect(await fetchAction("multipart/form-data; boundary=xyz", encode("garbage"))).toBe(
      MALFORMED_BODY,
    );
    expect(await fetchAction("multipart/form-data", encode("garbage"))).toBe(MALFORMED_BODY);
    const noRoot = await multipart([["_1_caseId", "x"]]);
    expect(await fetchAction(noRoot.contentType, noRoot.body)).toBe(UNEXPECTED_REPLY);
    const twoRoots = await multipart([
      ["0", "[]"],
      ["0", "[]"],
    ]);
    expect(await fetchAction(twoRoots.contentType, twoRoots.body)).toBe(UNEXPECTED_REPLY);
    const fileRoot = await multipart([["0", new Blob(["[]"])]]);
    expect(await fetchAction(fileRoot.contentType, fileRoot.body)).toBe(UNEXPECTED_REPLY);
    // React looks a field up by +name (or +name.slice(1) after "S"): each of these is part 0 too,
    // and React JSON-parses whichever comes first (found by the fuzz test: a 500 on "Unexpected
    // token") and fails on the second.
    for (const alias of ["", "00", " 0", "0x0", "-0", "0.0", "0e3", "S0", "S00"]) {
      expect(resolvesRoot(alias)).toBe(true);
      for (const entries of [
        [
          [alias, "não é JSON"],
          ["0", "[]"],
        ],
        [
          ["0", "[]"],
          [alias, "[]"],
        ],
        [[alias, "[]"]],
      ] as [string, string][][]) {
        const form = await multipart(entries);
        expect(await fetchAction(form.contentType, form.body)).toBe(UNEXPECTED_REPLY);
      }
    }
    for (const other of ["1", "S", "S1", "_1_0", "0a", "x"])
      expect(resolvesRoot(other)).toBe(false);
    const withOthers = await multipart([
      ["S", "x"],
      ["1", "não é JSON"],
      ["0", "[]"],
    ]);
    expect(await fetchAction(withOthers.contentType, withOthers.body)).toBeNull();
  });

  it("refuses what Next or React fail on past their limits, and reads the body as Next does", async () => {
    const call = (text: string | Uint8Array, contentType = "text/plain;charset=UTF-8") =>
      actionBodyProblem({
        kind: "fetch",
        contentType,
        body: typeof text === "string" ? encode(text) : text,
        parseFetchForm: parseLikeFetch,
      });
    // Next calls an action with at most 1,000 arguments.
    expect(await call(JSON.stringify(Array.from({ length: 1000 }, () => 0)))).toBeNull();
    expect(await call(JSON.stringify(Array.from({ length: 1001 }, () => 0)))).toBe(
      UNEXPECTED_REPLY,
    );
    // React: a bigint of at most 300 characters, its sign included.
    expect(await call(JSON.stringify([`$n-${"9".repeat(299)}`]))).toBeNull();
    expect(await call(JSON.stringify([`$n-${"9".repeat(300)}`]))).toBe(UNEXPECTED_REPLY);
    // React: at most a million characters and slots under the arguments.
    expect(await call(JSON.stringify(["a".repeat(999_000), 0]))).toBeNull();
    expect(await call(JSON.stringify(["a".repeat(1_000_000), 0]))).toBe(UNEXPECTED_REPLY);
    // Next keeps a byte order mark, and JSON.parse fails on it.
    expect(await call(new Uint8Array([0xef, 0xbb, 0xbf, ...encode("[]")]))).toBe(MALFORMED_BODY);
    // Next reads "Multipart/Form-Data" as text (its test is case-sensitive): so does the edge.
    const form = await multipart([["0", "[]"]]);
    const shouted = form.contentType.replace("multipart/form-data", "Multipart/Form-Data");
    expect(await call(form.body, shouted)).toBe(MALFORMED_BODY);
    expect(await call("[1]", shouted)).toBeNull();
  });

  it("lets a form posted without JavaScript through when Next can decode its action fields", async () => {
    const ID = "7f8adb4092c2b32af1108608719ef0163080793ee4";
    const form = async (entries: [string, string][]) =>
      actionBodyProblem({
        kind: "form",
        ...(await multipart(entries)),
        parseFetchForm: parseLikeFetch,
      });
    // As React renders them: a plain action, and a useActionState form with its bound state.
    expect(await form([[`$ACTION_ID_${ID}`, ""]])).toBeNull();
    const stateful: [string, string][] = [
      ["$ACTION_REF_1", ""],
      ["$ACTION_1:0", `{"id":"${ID}","bound":"$@1"}`],
      ["$ACTION_1:1", '[{"status":"idle"}]'],
      ["$ACTION_KEY", "k0"],
      ["staffId", "x"],
    ];
    expect(await form(stateful)).toBeNull();
    expect(await form([["note", "x"]])).toBeNull();
    const broken = (name: string, value: string | null) =>
      form(
        stateful.flatMap(([k, v]): [string, string][] =>
          k === name ? (value === null ? [] : [[k, value]]) : [[k, v]],
        ),
      );
    expect(await broken("$ACTION_1:0", null)).toBe(UNEXPECTED_REPLY);
    expect(await broken("$ACTION_1:0", "{")).toBe(MALFORMED_BODY);
    expect(await broken("$ACTION_1:0", `{"id":"${ID}","id":"abc","bound":null}`)).toBe(
      UNEXPECTED_REPLY,
    );
    expect(await broken("$ACTION_1:0", `{"id":"${ID}","bound":"$@2"}`)).toBe(UNEXPECTED_REPLY);
    expect(await broken("$ACTION_1:0", `{"id":"${ID}","bound":42}`)).toBe(UNEXPECTED_REPLY);
    expect(await broken("$ACTION_1:0", `{"id":"${ID}","bound":null}`)).toBeNull();
    // Only the two keys React writes (found by the differential test, tests/unit/edge-react-decoder).
    expect(await broken("$ACTION_1:0", `{"id":"${ID}"}`)).toBe(UNEXPECTED_REPLY);
    expect(await broken("$ACTION_1:0", `{"id":"${ID}","bound":null,"x":"$T"}`)).toBe(
      UNEXPECTED_REPLY,
    );
    expect(await broken("$ACTION_1:1", JSON.stringify(Array.from({ length: 1001 }, () => 0)))).toBe(
      UNEXPECTED_REPLY,
    );
    expect(await broken("$ACTION_1:1", '{"status":"idle"}')).toBe(UNEXPECTED_REPLY);
    expect(await broken("$ACTION_1:1", '["$1"]')).toBe(UNEXPECTED_REPLY);
    expect(await broken("$ACTION_1:1", null)).toBe(UNEXPECTED_REPLY);
    expect(
      await actionBodyProblem({
        kind: "form",
        contentType: "multipart/form-data; boundary=x",
        body: encode("--x\r\nnope"),
        parseFetchForm: parseLikeFetch,
      }),
    ).toBe(MALFORMED_BODY);
  });
});

describe("jsonObjectProblem", () => {
  it("accepts a JSON object only", () => {
    expect(jsonObjectProblem('{"csrfToken":"x"}')).toBeNull();
    for (const text of ["{bad", "null", "[]", '"x"', "1", ""])
      expect(jsonObjectProblem(text)).toBe(MALFORMED_BODY);
  });
});

describe("a Content-Type Next reads as multipart but is not multipart/form-data", () => {
  it("is an action to the edge, and its body is refused", async () => {
    const headers = { "content-type": "multipart/form-data-x; boundary=a" };
    expect(serverActionKind("POST", headers)).toBe("form");
    for (const kind of ["form", "fetch"] as const)
      expect(
        await actionBodyProblem({
          kind,
          contentType: headers["content-type"],
          body: new TextEncoder().encode("--a--"),
          parseFetchForm: async () => [],
        }),
      ).not.toBeNull();
  });
});

describe("targetTooLong", () => {
  it("is false up to the limit and true past it, counting UTF-8 bytes", () => {
    expect(targetTooLong("/" + "a".repeat(URL_LIMIT_BYTES - 1))).toBe(false);
    expect(targetTooLong("/" + "a".repeat(URL_LIMIT_BYTES))).toBe(true);
    expect(targetTooLong("/" + "é".repeat(URL_LIMIT_BYTES / 2))).toBe(true);
  });
});
