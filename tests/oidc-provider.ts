/**
 * A real OpenID Connect provider (oidc-provider) for the browser tests: staff sign in to the
 * console through it exactly as through the organisation's identity provider. Started by
 * playwright.config.ts beside the console; never part of the app.
 *
 * Its login page takes a username (one of ACCOUNTS) and a choice: "Use my security key" makes
 * the sign-in phishing-resistant (acr "phr", amr ["hwk", "user"]), otherwise a password
 * (acr "urn:northwind:pwd", amr ["pwd"]). Role, team, acr, amr and auth_time go into the ID
 * token (conformIdTokenClaims off, claims listed under the scopes the console asks for).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

const PORT = Number(process.env.OIDC_PORT ?? 3150);
const CONSOLE_URL = (process.env.CONSOLE_URL ?? "http://localhost:3100").replace(/\/$/, "");
export const ISSUER = `http://localhost:${PORT}`;

/** The staff of the test identity provider: what its ID tokens say about each. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  "sso-agent": {
    email: "sam.sso@northwind.example",
    name: "Sam Sso",
    console_role: "AGENT",
    console_team: "Service Desk North",
  },
  "sso-supervisor": {
    email: "sasha.sso@northwind.example",
    name: "Sasha Sso",
    console_role: "SUPERVISOR",
    console_team: "Service Desk North",
  },
  "sso-leaver": {
    email: "lee.sso@northwind.example",
    name: "Lee Sso",
    console_role: "AGENT",
    console_team: "Service Desk North",
  },
  "sso-norole": { email: "nora.sso@northwind.example", name: "Nora Sso" },
  "sso-manyroles": {
    email: "max.sso@northwind.example",
    name: "Max Sso",
    console_role: ["SUPERVISOR", "SECURITY"],
    console_team: "Service Desk North",
  },
};

const PHISHING_RESISTANT = { acr: "phr", amr: ["hwk", "user"] };
const PASSWORD = { acr: "urn:northwind:pwd", amr: ["pwd"] };

const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID ?? "recovery-console",
      client_secret: process.env.OIDC_CLIENT_SECRET ?? "e2e-only-client-secret-not-for-production",
      redirect_uris: [`${CONSOLE_URL}/api/auth/callback/oidc`],
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  cookies: { keys: ["e2e-only-cookie-key-not-for-production"] },
  acrValues: [PHISHING_RESISTANT.acr, PASSWORD.acr],
  // Claims in the ID token (next-auth reads only the ID token), under the scopes the console asks for.
  conformIdTokenClaims: false,
  claims: {
    openid: ["sub", "acr", "amr", "auth_time"],
    email: ["email", "email_verified"],
    profile: ["name", "console_role", "console_team"],
  },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, ...account };
      },
    };
  },
  // A first-party client: no consent screen; the grant is made on the spot.
  async loadExistingGrant(ctx: KoaContextWithOIDC) {
    const grantId =
      ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client!.clientId,
      accountId: ctx.oidc.session!.accountId!,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind test SSO</title></head><body>${body}</body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function interaction(req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "POST") {
    const form = await readForm(req);
    const login = form.get("login") ?? "";
    if (!ACCOUNTS[login]) {
      res.writeHead(400, { "Content-Type": "text/html" });
      res.end(page(`<p role="alert">Unknown user.</p>`));
      return;
    }
    const how = form.get("key") === "on" ? PHISHING_RESISTANT : PASSWORD;
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login, acr: how.acr, amr: how.amr } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  res.writeHead(200, { "Content-Type": "text/html" });
  res.end(
    page(`<main><h1>Northwind test SSO</h1>
<form method="post" action="/interaction/${details.uid}">
<label>Username <input name="login" autocomplete="off"></label>
<label><input type="checkbox" name="key"> Use my security key</label>
<button type="submit">Sign in</button>
</form></main>`),
  );
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url?.startsWith("/interaction/")) {
    interaction(req, res).catch((error: unknown) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
server.listen(PORT, "127.0.0.1", () => {
  console.log(`test OpenID provider at ${ISSUER}`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
