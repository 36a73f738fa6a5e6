/**
 * docs/security-requirements.md G1, decision 011: every server action authenticates and
 * authorizes itself, and cannot forget to. Every export of every 'use server' module, in any
 * form, must be built by a wrapper from lib/auth/actions.ts: directly (`export const x =
 * staffAction(…)`), or by a function or alias that only delegates to a module-level const built
 * by one. Actions built by a public wrapper are listed below with the reason their caller has no
 * staff session. Route handlers are listed with the reason each needs no staff session.
 * High-risk acts (docs/decisions/015-staff-step-up.md) must ask for a fresh step-up: the actions
 * with `stepUp` in their options, the route handlers by calling requireStepUp.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const WRAPPER_MODULE = "@/lib/auth/actions";
const WRAPPERS: Record<string, "staff" | "public"> = {
  staffAction: "staff",
  staffButtonAction: "staff",
  staffCall: "staff",
  publicAction: "public",
  publicButtonAction: "public",
  publicCall: "public",
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

type ActionReport = {
  file: string;
  name: string;
  kind: "staff" | "public" | null;
  problem?: string;
};

const isDirective = (statement: ts.Statement | undefined): statement is ts.ExpressionStatement =>
  !!statement && ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
const isUseServer = (statement: ts.Statement | undefined) =>
  isDirective(statement) && (statement.expression as ts.StringLiteral).text === "use server";
const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
  ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);

/** Is this source a 'use server' module (the directive among its leading directives)? */
function isServerModule(source: ts.SourceFile): boolean {
  for (const statement of source.statements) {
    if (!isDirective(statement)) return false;
    if (isUseServer(statement)) return true;
  }
  return false;
}

/** Function bodies that carry their own "use server" (inline actions): not allowed, they bypass the wrappers. */
function inlineServerFunctions(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const body = ts.isFunctionLike(node) ? (node as ts.FunctionLikeDeclaration).body : undefined;
    if (body && ts.isBlock(body)) {
      const firstCode = body.statements.findIndex((statement) => !isDirective(statement));
      const directives = firstCode === -1 ? body.statements : body.statements.slice(0, firstCode);
      if (directives.some(isUseServer))
        found.push(
          `${source.fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`,
        );
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Checks every export of a 'use server' module; `file` is only used in the reports. */
function checkServerModule(file: string, text: string): ActionReport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  if (!isServerModule(source)) return [];

  // Wrappers imported (possibly renamed) from lib/auth/actions.ts: local name -> wrapper name.
  const wrappers = new Map<string, string>();
  // Module-level declarations by name.
  const consts = new Map<string, ts.VariableDeclaration>();
  const mutable = new Set<string>();
  const functions = new Map<string, ts.FunctionDeclaration>();
  for (const statement of source.statements) {
    if (
      ts.isImportDeclaration(statement) &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.moduleSpecifier.text === WRAPPER_MODULE
    ) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings) && !statement.importClause?.isTypeOnly) {
        for (const element of bindings.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (!element.isTypeOnly && imported in WRAPPERS)
            wrappers.set(element.name.text, imported);
        }
      }
    }
    if (ts.isVariableStatement(statement)) {
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        if (isConst) consts.set(declaration.name.text, declaration);
        else mutable.add(declaration.name.text);
      }
    }
    if (ts.isFunctionDeclaration(statement) && statement.name)
      functions.set(statement.name.text, statement);
  }

  const unwrap = (expression: ts.Expression): ts.Expression => {
    let current = expression;
    while (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current) ||
      ts.isTypeAssertionExpression(current)
    ) {
      current = current.expression;
    }
    return current;
  };

  type Verdict = { kind: "staff" | "public" } | { problem: string };

  /** A module-level name that is bound to a wrapper's result (a const, or a function that only delegates). */
  const resolveName = (name: string, seen: Set<string>): Verdict => {
    if (seen.has(name)) return { problem: `${name} refers to itself` };
    seen.add(name);
    const declaration = consts.get(name);
    if (declaration)
      return declaration.initializer
        ? resolveExpression(declaration.initializer, seen)
        : { problem: `${name} has no value` };
    const fn = functions.get(name);
    if (fn) return resolveDelegate(fn, seen);
    if (mutable.has(name))
      return { problem: `${name} is let/var: only a const built by a wrapper may be exported` };
    return { problem: `${name} is not a module-level const or function of this file` };
  };

  /** A wrapper call, a name bound to one, or a function that only delegates to one. */
  const resolveExpression = (expression: ts.Expression, seen: Set<string>): Verdict => {
    const node = unwrap(expression);
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isIdentifier(callee) && wrappers.has(callee.text))
        return { kind: WRAPPERS[wrappers.get(callee.text)!]! };
      return { problem: `built by ${callee.getText()}, not by a wrapper from ${WRAPPER_MODULE}` };
    }
    if (ts.isIdentifier(node)) return resolveName(node.text, seen);
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node))
      return resolveDelegate(node, seen);
    return { problem: `exports ${ts.SyntaxKind[node.kind]}, not an action built by a wrapper` };
  };

  /** `function f(a, b) { return impl(a, b); }` (or an arrow with that one expression), `impl` built by a wrapper. */
  const resolveDelegate = (fn: ts.FunctionLikeDeclaration, seen: Set<string>): Verdict => {
    const body = fn.body;
    if (!body) return { problem: "a function without a body" };
    let returned: ts.Expression | undefined;
    if (ts.isBlock(body)) {
      const [only, ...rest] = body.statements;
      if (only && rest.length === 0 && ts.isReturnStatement(only)) returned = only.expression;
    } else {
      returned = body;
    }
    if (returned) {
      let call = unwrap(returned);
      if (ts.isAwaitExpression(call)) call = unwrap(call.expression);
      // Only the function's own parameters are passed on: no code runs before the wrapper's guard.
      const parameters = new Set(fn.parameters.map((p) => p.name.getText()));
      const passedOn = (arg: ts.Expression) => {
        const value = ts.isSpreadElement(arg) ? arg.expression : arg;
        return ts.isIdentifier(value) && parameters.has(value.text);
      };
      if (ts.isCallExpression(call) && call.arguments.every(passedOn)) {
        const callee = unwrap(call.expression);
        if (ts.isIdentifier(callee) && !wrappers.has(callee.text))
          return resolveName(callee.text, seen);
      }
    }
    return {
      problem:
        "a function that does more than `return impl(…its parameters)` with impl built by a wrapper: its code would run before the guard",
    };
  };

  const reports: ActionReport[] = [];
  const report = (name: string, verdict: Verdict) =>
    reports.push({
      file,
      name,
      kind: "kind" in verdict ? verdict.kind : null,
      ...("problem" in verdict ? { problem: verdict.problem } : {}),
    });

  for (const statement of source.statements) {
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(statement) && exported) {
      report(
        isDefault ? "default" : (statement.name?.text ?? "default"),
        resolveDelegate(statement, new Set(statement.name ? [statement.name.text] : [])),
      );
    } else if (ts.isClassDeclaration(statement) && exported) {
      report(isDefault ? "default" : (statement.name?.text ?? "default"), {
        problem: "exports a class",
      });
    } else if (ts.isVariableStatement(statement) && exported) {
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        const name = declaration.name.getText();
        if (!ts.isIdentifier(declaration.name))
          report(name, { problem: "exports a destructuring pattern" });
        else if (!isConst)
          report(name, {
            problem: `${name} is let/var: only a const built by a wrapper may be exported`,
          });
        else
          report(
            name,
            declaration.initializer
              ? resolveExpression(declaration.initializer, new Set([name]))
              : { problem: `${name} has no value` },
          );
      }
    } else if (ts.isExportAssignment(statement)) {
      report("default", resolveExpression(statement.expression, new Set()));
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      if (statement.moduleSpecifier) {
        report(statement.exportClause?.getText() ?? "*", {
          problem: "re-exports from another module: build the action here",
        });
      } else if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          if (element.isTypeOnly) continue;
          report(
            element.name.text,
            resolveName((element.propertyName ?? element.name).text, new Set()),
          );
        }
      }
    } else if ((ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) && exported) {
      report(statement.name.getText(), {
        problem: "exports a runtime value that is not an action",
      });
    }
  }
  return reports;
}

const SOURCE_DIRS = ["app", "components", "lib"];
const sources = SOURCE_DIRS.flatMap((dir) => filesUnder(path.join(root, dir)))
  .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
  .map((f) => ({ file: path.relative(root, f), text: readFileSync(f, "utf8") }));

function serverActions(): ActionReport[] {
  return sources.flatMap(({ file, text }) => checkServerModule(file, text));
}

/** Actions whose caller has no staff session by design; a new one must be added here on purpose. */
const PUBLIC_ACTIONS: Record<string, string> = {
  demoSignIn:
    "staff demo sign-in: signing in is what anonymous visitors do (signInDemoStaff checks it is enabled and the staff member active)",
  answerConfirmationAction:
    "a manager answering a one-time link: the token is the credential (answerManagerConfirmation)",
  redeemTapAction:
    "a user redeeming their pass: the pass is the credential (redeemTap: attempts reserved, limited, audited)",
  startRegistrationAction:
    "a user enrolling a passkey with the account session their pass gave them, or a passkey session freshly verified (startPasskeyRegistration)",
  finishRegistrationAction:
    "as startRegistrationAction; the challenge bound to the session is checked in finishPasskeyRegistration",
  reportNotMeAction:
    "\"this wasn't me\" from a notice: the link's token is the credential (repudiateRecovery)",
  startProofAction:
    "a user proving a remaining passkey from their one-time link (startPasskeyProof)",
  finishProofAction:
    "as startProofAction; the challenge bound to the link is checked in finishPasskeyProof",
  startReverifyAction:
    "a workforce user signed in with a passkey confirming it's them: the account session is the credential (startWorkforceReverification)",
  finishReverifyAction:
    "the account session and an assertion by one of its user's passkeys are the credential (finishWorkforceReverification)",
  startSignInAction: "workforce sign-in: the passkey is the credential",
  finishSignInAction:
    "workforce sign-in: the assertion is checked in finishWorkforceSignIn (challenge, owner, UV, counter)",
  signOutAccountAction:
    "workforce sign-out: needs only the session being ended, deleted server-side",
  startLinkRegistrationAction:
    "a user enrolling from the enrolment link: the token is the credential (startPasskeyRegistration)",
  finishLinkRegistrationAction:
    "as startLinkRegistrationAction; the challenge bound to the link is checked in finishPasskeyRegistration",
  // Self-service on /account (docs/decisions/036).
  renamePasskeyAction:
    "a workforce user naming a passkey: the account session cookie is the credential (renamePasskey checks it, and that the passkey is theirs)",
  removePasskeyAction:
    "a workforce user removing a passkey: the account session cookie, a fresh confirmation and the passkey are checked in removePasskey",
  reportLostAction:
    "a workforce user reporting a device lost: the account session cookie, a fresh confirmation and the passkey are checked in reportPasskeyLost",
  signOutEverywhereAction:
    "a workforce user signing out everywhere: the account session cookie is the credential (signOutEverywhere)",
  // Recovery codes (issue 15, part B; docs/decisions/037).
  makeRecoveryCodesAction:
    "a workforce user making recovery codes: the account session (a passkey session, freshly verified) is the credential (generateRecoveryCodes)",
  markPasskeysLostAction:
    "a workforce user marking passkeys lost from the session a recovery code opened: that session is the credential (markPasskeysLost)",
  recoverWithCodeAction:
    "a user using a saved recovery code: the code is the credential (redeemRecoveryCode: budgets, equal timing, single use, audited)",
};

describe("server actions", () => {
  const actions = serverActions();

  it("are found", () => {
    expect(actions.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "signOut",
        "demoSignIn",
        "decideAction",
        "recordStepAction",
        "finishProofAction",
      ]),
    );
  });

  it.each(actions.map((a) => [`${a.file} ${a.name}`, a] as const))(
    "%s is built by a wrapper from lib/auth/actions.ts",
    (_label, action) => {
      expect(action.problem ?? null).toBeNull();
      expect(action.kind).not.toBeNull();
    },
  );

  it("are public only where the caller has no staff session by design, each listed with its reason", () => {
    expect(
      actions
        .filter((a) => a.kind === "public")
        .map((a) => a.name)
        .sort(),
    ).toEqual(Object.keys(PUBLIC_ACTIONS).sort());
  });

  it("are never defined inline (a function-level 'use server' would bypass the wrappers)", () => {
    const inline = sources.flatMap(({ file, text }) =>
      inlineServerFunctions(
        ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX),
      ),
    );
    expect(inline).toEqual([]);
  });
});

describe("the server action checker", () => {
  const header = `"use server";\nimport { staffAction, publicAction as open } from "@/lib/auth/actions";\nimport { z } from "zod";\n`;
  const check = (body: string) =>
    Object.fromEntries(
      checkServerModule("memory.ts", header + body).map((r) => [
        r.name,
        r.problem ? "unguarded" : r.kind,
      ]),
    );

  it("reports an unguarded `export const f = async () => {}`", () => {
    expect(check(`export const f = async () => {};`)).toEqual({ f: "unguarded" });
  });

  it("accepts wrapper calls, renamed imports and functions that only delegate", () => {
    expect(
      check(`
        const impl = staffAction("cases:work", z.object({}), async () => "ok", { path: "/" });
        export const a = staffAction("cases:work", z.object({}), async () => "ok", { path: "/" });
        export const b = open(z.object({}), async () => "ok");
        export async function c(prev: unknown, formData: FormData) { return impl(prev, formData); }
        export const d = async (prev: unknown, formData: FormData) => impl(prev, formData);
        export { impl as e };
      `),
    ).toEqual({ a: "staff", b: "public", c: "staff", d: "staff", e: "staff" });
  });

  it("reports every other export form", () => {
    expect(
      check(`
        const impl = staffAction("cases:work", z.object({}), async () => "ok", { path: "/" });
        async function plain() { return "no guard"; }
        const arrow = async () => "no guard";
        const local = (x: unknown) => x;
        let later = impl;
        export async function guardedLate(prev: unknown, formData: FormData) { console.log(formData); return impl(prev, formData); }
        export async function computedArgs(prev: unknown, formData: FormData) { return impl(prev, await plain()); }
        export function declared() {}
        export const wrappedElsewhere = local(async () => {});
        export { plain, arrow as renamed, later };
        export default async function () {}
      `),
    ).toEqual({
      guardedLate: "unguarded",
      computedArgs: "unguarded",
      declared: "unguarded",
      wrappedElsewhere: "unguarded",
      plain: "unguarded",
      renamed: "unguarded",
      later: "unguarded",
      default: "unguarded",
    });
    expect(check(`export default async () => {};`)).toEqual({ default: "unguarded" });
    expect(check(`export { x } from "./elsewhere";`)).toEqual({ "{ x }": "unguarded" });
  });

  it("does not trust a wrapper with the right name imported from elsewhere", () => {
    const source = `"use server";\nimport { staffAction } from "./my-wrapper";\nexport const f = staffAction("cases:work", null, async () => "ok", { path: "/" });`;
    expect(checkServerModule("memory.ts", source).map((r) => r.problem !== undefined)).toEqual([
      true,
    ]);
  });

  it("finds inline 'use server' functions", () => {
    const source = ts.createSourceFile(
      "page.tsx",
      `export default function Page() { async function act() { "use server"; } return act; }`,
      ts.ScriptTarget.Latest,
      true,
    );
    expect(inlineServerFunctions(source)).toHaveLength(1);
  });
});

/** Decision 015: each high-risk act, and what it is (its `stepUp` text in the audit trail). */
const STEP_UP_ACTIONS: Record<string, string> = {
  decideAction: "decide an approval",
  revokePasskeysAction: "revoke passkeys",
  clearHoldAction: "clear a hold",
  correctStepAction: "reopen a step",
  changeAccessAction: "change a person's access",
  transferCaseAction: "hand a case over",
  // A SCIM token can deprovision the whole workforce (decision 033).
  issueScimTokenAction: "issue a SCIM token",
  rotateScimTokenAction: "rotate a SCIM token",
  rotateWebhookSecretAction: "rotate a webhook secret",
  // A receiver token reads everyone's revocations; an endpoint gets every case's events.
  issueReceiverAction: "issue a Shared Signals receiver token",
  addWebhookAction: "add a webhook endpoint",
  // Switching any of them off silently stops leavers or signals flowing: as weighty.
  revokeScimTokenAction: "revoke a SCIM token",
  revokeReceiverAction: "revoke a Shared Signals receiver",
  disableWebhookAction: "disable a webhook endpoint",
  // Security keys and break-glass accounts (decision 039): taking a key back revokes its passkey;
  // the break-glass mark and a declared test change what raises an alert.
  takeBackKeyAction: "revoke passkeys",
  breakGlassAction: "change a break-glass account",
  breakGlassTestAction: "declare a break-glass test",
  breakGlassApproveAction: "decide an approval",
};
const STEP_UP_ROUTES = ["app/(console)/audit/export/route.ts"];

/** `stepUp: "…"` in the options (last argument) of the wrapper call an export is built by, if any. */
function stepUpOf(text: string, name: string): string | null {
  const source = ts.createSourceFile("m.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (declaration.name.getText() !== name || !declaration.initializer) continue;
      const call = declaration.initializer;
      if (!ts.isCallExpression(call)) return null;
      const options = call.arguments[call.arguments.length - 1];
      if (!options || !ts.isObjectLiteralExpression(options)) return null;
      for (const property of options.properties) {
        if (
          ts.isPropertyAssignment(property) &&
          property.name.getText() === "stepUp" &&
          ts.isStringLiteral(property.initializer)
        )
          return property.initializer.text;
      }
      return null;
    }
  }
  return null;
}

describe("high-risk acts", () => {
  const actions = serverActions();

  it.each(Object.entries(STEP_UP_ACTIONS))("%s asks for a fresh step-up", (name, attempted) => {
    const found = actions.filter((action) => action.name === name);
    expect(found).toHaveLength(1);
    const text = sources.find((source) => source.file === found[0]!.file)!.text;
    expect(stepUpOf(text, name)).toBe(attempted);
  });

  it("are the only actions that do (a new one is added to the list on purpose)", () => {
    const gated = sources.flatMap(({ file, text }) =>
      checkServerModule(file, text)
        .filter((action) => stepUpOf(text, action.name) !== null)
        .map((action) => action.name),
    );
    expect(gated.sort()).toEqual(Object.keys(STEP_UP_ACTIONS).sort());
  });

  it.each(STEP_UP_ROUTES)("%s calls requireStepUp after its permission guard", (route) => {
    const text = readFileSync(path.join(root, route), "utf8");
    const guard = text.search(/\brequirePermission\(/);
    const stepUp = text.search(/\brequireStepUp\(/);
    expect(guard).toBeGreaterThan(-1);
    expect(stepUp).toBeGreaterThan(guard);
  });
});

describe("route handlers", () => {
  // Each route handler with why it needs no staff session. A new one must be added here on purpose.
  const PUBLIC_ROUTES: Record<string, string> = {
    "app/api/auth/[...nextauth]/route.ts":
      "next-auth's sign-in endpoints: state, PKCE and nonce checked by next-auth, staff admitted by admitOidcStaff",
    "app/healthz/route.ts":
      "liveness for a load balancer or supervisor: answers 'ok' and nothing else, reads nothing",
    "app/readyz/route.ts":
      "readiness for a load balancer: answers ready or not ready and nothing else (decision 041)",
    "app/metrics/route.ts":
      "Prometheus metrics for a scraper: a bearer token (METRICS_TOKEN) compared in constant time, not a staff session (decision 041)",
    "app/.well-known/ssf-configuration/route.ts":
      "Shared Signals transmitter metadata: public by design (decision 034), names endpoints only",
    "app/ssf/jwks/route.ts":
      "the public key that signs Security Event Tokens: public by design, receivers verify with it",
    "app/ssf/streams/route.ts":
      "Shared Signals stream management for receivers: each handler authenticates the receiver's bearer token",
    "app/ssf/status/route.ts":
      "Shared Signals stream status for receivers: each handler authenticates the receiver's bearer token",
    "app/ssf/verify/route.ts":
      "Shared Signals verification for receivers: authenticates the receiver's bearer token",
    "app/ssf/poll/[streamId]/route.ts":
      "Shared Signals poll delivery (RFC 8936): authenticates the receiver's bearer token",
    "app/scim/v2/Users/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
    "app/scim/v2/Users/[id]/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
    "app/scim/v2/ServiceProviderConfig/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
    "app/scim/v2/ResourceTypes/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
    "app/scim/v2/Schemas/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
    "app/scim/v2/Groups/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
    "app/scim/v2/Groups/[id]/route.ts":
      "SCIM for identity providers (decision 033): a scoped bearer token, checked by scimHandler, not a staff session",
  };

  it("are all accounted for", () => {
    const routes = filesUnder(path.join(root, "app"))
      .filter((f) => /\/route\.tsx?$/.test(f))
      .map((f) => path.relative(root, f));
    const unguarded = routes.filter((route) => {
      const text = readFileSync(path.join(root, route), "utf8");
      return !/\brequire(Staff|Permission)\(/.test(text);
    });
    expect(unguarded.sort()).toEqual(Object.keys(PUBLIC_ROUTES).sort());
  });
});

describe("route handlers' requests", () => {
  it("are checked for a cross-site origin before anything else (docs/security-requirements.md G4)", () => {
    const routes = filesUnder(path.join(root, "app")).filter((f) => /\/route\.tsx?$/.test(f));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const text = readFileSync(route, "utf8");
      // Every exported handler (`export async function GET`, or a function exported as GET)
      // starts with the refusal check.
      const exported = new Set([
        ...[...text.matchAll(/export async function (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
          (m) => m[1]!,
        ),
        ...[...text.matchAll(/(\w+) as (?:GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!),
      ]);
      const handlers = [
        ...text.matchAll(/(?:export )?async function (\w+)\([^)]*\)[^{]*\{\s*([^\n]*)/g),
      ].filter(([, name]) => exported.has(name!));
      expect(handlers.length, route).toBe(exported.size);
      expect(handlers.length, route).toBeGreaterThan(0);
      for (const [, name, firstLine] of handlers)
        expect(firstLine, `${route}: ${name}`).toMatch(/routeRequestRefusal\(/);
    }
  });
});
