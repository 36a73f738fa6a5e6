/**
 * SECURITY.md G1: every server action authenticates and authorizes itself. This reads every
 * 'use server' module under app/ and checks that each exported function calls a guard from
 * lib/auth/session.ts (requireStaff / requirePermission), or says in its doc comment why it
 * is PUBLIC. Route handlers are listed below with the reason each needs no staff session.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const GUARDS = new Set(["requireStaff", "requirePermission"]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

type ActionReport = { file: string; name: string; guarded: boolean; public: boolean };

function serverActions(): ActionReport[] {
  const reports: ActionReport[] = [];
  for (const file of filesUnder(path.join(root, "app")).filter((f) => /\.tsx?$/.test(f))) {
    const text = readFileSync(file, "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const first = source.statements[0];
    const isServerModule =
      first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === "use server";
    if (!isServerModule) continue;
    for (const statement of source.statements) {
      if (!ts.isFunctionDeclaration(statement) || !statement.name) continue;
      if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      let guarded = false;
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && GUARDS.has(node.expression.text)) guarded = true;
        ts.forEachChild(node, visit);
      };
      if (statement.body) visit(statement.body);
      const docs = ts.getJSDocCommentsAndTags(statement).map((d) => d.getText()).join("\n");
      reports.push({ file: path.relative(root, file), name: statement.name.text, guarded, public: /\bPUBLIC:/.test(docs) });
    }
  }
  return reports;
}

describe("server actions", () => {
  const actions = serverActions();

  it("are found", () => {
    expect(actions.map((a) => a.name)).toEqual(expect.arrayContaining(["signOut", "demoSignIn"]));
  });

  it.each(actions.map((a) => [`${a.file} ${a.name}`, a]))("%s calls a guard or is documented PUBLIC", (_label, action) => {
    expect(action.guarded || action.public).toBe(true);
  });

  it("are PUBLIC only where the caller has no staff session by design", () => {
    // Staff demo sign-in; a manager answering a one-time link; a user redeeming their pass and
    // enrolling a passkey with the account session it gave them; "this wasn't me" from a notice;
    // a user proving a remaining passkey from their one-time link; workforce sign-in and sign-out;
    // a user enrolling from the enrolment link.
    expect(actions.filter((a) => a.public).map((a) => a.name).sort()).toEqual([
      "answerConfirmationAction",
      "demoSignIn",
      "finishLinkRegistrationAction",
      "finishProofAction",
      "finishRegistrationAction",
      "finishSignInAction",
      "redeemTapAction",
      "reportNotMeAction",
      "signOutAccountAction",
      "startLinkRegistrationAction",
      "startProofAction",
      "startRegistrationAction",
      "startSignInAction",
    ]);
  });
});

describe("route handlers", () => {
  // Each route handler with why it needs no staff session. A new one must be added here on purpose.
  const PUBLIC_ROUTES: Record<string, string> = {
    "app/api/auth/[...nextauth]/route.ts": "next-auth's sign-in endpoints: state, PKCE and nonce checked by next-auth, staff admitted by admitOidcStaff",
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
