import { defineConfig, devices } from "@playwright/test";

// Overridable so two checkouts can run their browser tests side by side.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const PG_PORT = process.env.E2E_PG_PORT ?? "54339";
// Two console instances over the one database, behind nginx on PORT (docs/decisions/042).
const INSTANCE_PORTS = (process.env.E2E_INSTANCE_PORTS ?? `${PORT + 1},${PORT + 2}`).split(",");
// The test identity provider (tests/oidc-provider.ts) beside the console.
const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? PORT + 50);
const OIDC = {
  OIDC_ISSUER: `http://localhost:${OIDC_PORT}`,
  OIDC_CLIENT_ID: "recovery-console",
  OIDC_CLIENT_SECRET: "e2e-only-client-secret-not-for-production",
};

/** GET /metrics's token in the browser tests (tests/e2e/logs.spec.ts). */
export const E2E_METRICS_TOKEN = "e2e-only-metrics-token-not-for-production";

/**
 * Browser tests drive Debian's Chromium (apt-get install chromium) against the production
 * build, served by the same start script as `npm start` on its own throwaway embedded database,
 * as two instances behind Debian's nginx (round robin: consecutive requests of a page reach
 * different instances, so nothing a test does can lean on one process's memory).
 * Staff single sign-on goes to a real OpenID provider (tests/oidc-provider.ts) started beside it;
 * demo sign-in stays on for the other tests.
 */
export default defineConfig({
  testDir: "tests/e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: [
    {
      command: "npx tsx tests/oidc-provider.ts",
      url: `http://localhost:${OIDC_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      stdout: "pipe",
      env: {
        OIDC_PORT: String(OIDC_PORT),
        CONSOLE_URL: `http://localhost:${PORT}`,
        OIDC_CLIENT_ID: OIDC.OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET: OIDC.OIDC_CLIENT_SECRET,
      },
    },
    {
      command: "npx tsx scripts/start.ts",
      url: `http://localhost:${PORT}/sign-in`,
      reuseExistingServer: !process.env.CI,
      timeout: 240_000,
      stdout: "pipe",
      env: {
        PORT: String(PORT),
        CONSOLE_INSTANCE_PORTS: INSTANCE_PORTS.join(","),
        CONSOLE_NGINX_DIR: ".data/e2e-nginx",
        DATABASE_URL: "",
        NEXTAUTH_URL: `http://localhost:${PORT}`,
        EMBEDDED_PG_DIR: ".data/e2e-postgres",
        // The Shared Signals receivers of the browser tests listen on this machine.
        SSF_PRIVATE_ENDPOINTS: "allow",
        EMBEDDED_PG_PORT: PG_PORT,
        EMBEDDED_PG_EPHEMERAL: "1",
        DEMO_SIGN_IN: "on",
        ...OIDC,
        OIDC_DISPLAY_NAME: "Northwind test SSO",
        // The suite signs in and opens links from one address far more often than a person
        // would; the budgets the browser tests exercise (redeem.*, sso.client) keep their defaults.
        RATE_LIMITS:
          "anonymous.client=100000/600,link.client=100000/600,signIn.client=100000/600,signIn.account=100000/600",
        // Two trusted hops: tests choose their client address with X-Forwarded-For, and nginx
        // appends its own client (the browser) after it.
        TRUSTED_PROXY_HOPS: "2",
        // The JSON log, read by tests/e2e/logs.spec.ts (docs/decisions/041); both instances append.
        LOG_FILE: process.env.E2E_LOG_FILE ?? ".data/e2e-console.log",
        METRICS_TOKEN: E2E_METRICS_TOKEN,
      },
    },
  ],
});
