import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  loggablePath,
  OTHER_ROUTE,
  ROUTE_PATTERNS,
  routePattern,
  STATIC_FILES,
  TOKEN_BEARING_PREFIXES,
} from "./loggable-path";

const TOKEN = "Zq3xY_9-kLmN0pQrStUvWxYz01234567";
const UUID = "0b9d3c1e-8f4a-4e2b-9c6d-1a2b3c4d5e6f";

/** The routes app/ defines: every page.tsx and route.ts, route groups removed. */
function appRoutes(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      const segment = name.startsWith("(") && name.endsWith(")") ? "" : `/${name}`;
      found.push(...appRoutes(full, prefix + segment));
    } else if (name === "page.tsx" || name === "route.ts") found.push(prefix || "/");
  }
  return found;
}

describe("routePattern", () => {
  it("knows every route of app/, and nothing else (a new route must be added to the list)", () => {
    const routes = [...new Set(appRoutes(path.resolve(import.meta.dirname, "../../app")))].sort();
    expect([...ROUTE_PATTERNS].sort()).toEqual(routes);
  });

  it("knows the app's metadata files", () => {
    const files = readdirSync(path.resolve(import.meta.dirname, "../../app"))
      .filter((name) => /\.(ico|svg|png|txt|xml|webmanifest)$/.test(name))
      .map((name) => `/${name}`)
      .sort();
    expect([...STATIC_FILES].sort()).toEqual(files);
  });

  it("names the pattern, never the identifier or token", () => {
    expect(routePattern(`/cases/${UUID}`)).toBe("/cases/[caseId]");
    expect(routePattern(`/enrol/${TOKEN}`)).toBe("/enrol/[token]");
    expect(routePattern(`/confirm/${TOKEN}?answer=yes`)).toBe("/confirm/[token]");
    expect(routePattern(`/prove/${TOKEN}`)).toBe("/prove/[token]");
    expect(routePattern(`/report/${TOKEN}`)).toBe("/report/[token]");
    expect(routePattern(`/ssf/poll/${UUID}`)).toBe("/ssf/poll/[streamId]");
    expect(routePattern(`/scim/v2/Users/${UUID}`)).toBe("/scim/v2/Users/[id]");
    expect(routePattern("/api/auth/callback/oidc?code=abc&state=def")).toBe(
      "/api/auth/[...nextauth]",
    );
  });

  it("prefers a static route over a dynamic one", () => {
    expect(routePattern("/cases/new")).toBe("/cases/new");
    expect(routePattern("/practice/scenarios/new")).toBe("/practice/scenarios/new");
    expect(routePattern("/practice/scenarios/intro-call")).toBe("/practice/scenarios/[key]");
  });

  it("drops the query, a trailing slash and an absolute URL's origin", () => {
    expect(routePattern("/redeem?email=a%40b.example&pass=123456")).toBe("/redeem");
    expect(routePattern("/cases/")).toBe("/cases");
    expect(routePattern("http://localhost:3000/healthz")).toBe("/healthz");
    expect(routePattern("/")).toBe("/");
  });

  it("gives Next's files one label each", () => {
    expect(routePattern("/_next/static/chunks/app-1234.js")).toBe("/_next/static");
    expect(routePattern("/_next/image?url=%2Fa.png&w=64")).toBe("/_next/image");
    expect(routePattern("/favicon.ico")).toBe("/favicon.ico");
    expect(routePattern("/icon.svg")).toBe("/icon.svg");
  });

  it("calls anything else 'other', so labels stay bounded", () => {
    for (const target of [
      "/wp-admin/setup.php",
      `/${TOKEN}`,
      `/enrol/${TOKEN}/more`,
      "/cases//x",
      "/api/auth",
      "not a url",
    ])
      expect(routePattern(target)).toBe(OTHER_ROUTE);
  });
});

describe("loggablePath", () => {
  it("is the route pattern for a route", () => {
    expect(loggablePath(`/enrol/${TOKEN}?x=1`)).toBe("/enrol/[token]");
    expect(loggablePath("/sign-in?callbackUrl=%2Fcases")).toBe("/sign-in");
  });

  it("hides everything after a token-bearing prefix, even off a route", () => {
    for (const prefix of TOKEN_BEARING_PREFIXES)
      expect(loggablePath(`${prefix}${TOKEN}/extra/${TOKEN}`)).toBe(`${prefix}[token]`);
  });

  it("keeps plain words of an unknown path and hides the rest, never the query", () => {
    expect(loggablePath("/wp-admin/setup.php?pass=hunter2")).toBe("/wp-admin/setup.php");
    expect(loggablePath(`/x/${TOKEN}/${UUID}`)).toBe("/x/[redacted]/[redacted]");
    expect(loggablePath("/a/b/c/d/e/f/g/h")).toBe("/a/b/c/d/e/f/…");
    expect(loggablePath("/abc%20def")).toBe("/[redacted]");
  });

  it("never contains a token, whatever the shape of the address", () => {
    const targets = [
      `/enrol/${TOKEN}`,
      `/${TOKEN}`,
      `/redeem?pass=${TOKEN}`,
      `/x?${TOKEN}`,
      `/a/${TOKEN}.js`,
      `http://evil.example/${TOKEN}`,
      `/api/auth/callback/oidc?code=${TOKEN}`,
    ];
    for (const target of targets) expect(loggablePath(target)).not.toContain(TOKEN.slice(0, 10));
  });
});
