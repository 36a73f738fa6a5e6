/**
 * The console's HTTP server: Next.js behind the edge (scripts/lib/edge.ts,
 * docs/decisions/014-the-edge.md). scripts/start.ts runs it (`npm start`, `npm run dev`) with the
 * app's environment, after the database is ready; it is not meant to be run by hand.
 *
 * A custom server rather than `next start`, because only a Node server sees the socket: the
 * client address comes from the connection (TRUSTED_PROXY_HOPS says how many proxies in front to
 * believe), and requests Next would answer with a 500 are refused before it reads them.
 *
 * `--dev` serves the development build (Turbopack, as `next dev`), otherwise the production
 * build in .next/. SIGINT and SIGTERM close the server and Next, then exit 130 or 143 as
 * `next start` does.
 */
import { createServer } from "node:http";
import next from "next";
import { INSTANCE_KEEPALIVE_SECONDS } from "../lib/domain/nginx-config.ts";
import { createEdge } from "./lib/edge.ts";

// A bad configuration is told one line per variable by lib/env.ts (scripts/start.ts checks the
// same before it starts this server); the exception after those lines says nothing more.
const { env, publicUrl } = await import("../lib/env.ts").catch((error: Error) => {
  if (error.message?.startsWith("Invalid environment variables")) process.exit(2);
  throw error;
});

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = "localhost";

const app = next({ dev, hostname, port, ...(dev ? { turbopack: true } : {}) });
await app.prepare();
const edge = createEdge(app.getRequestHandler(), {
  publicUrl,
  trustedProxyHops: env.TRUSTED_PROXY_HOPS,
  dev,
});

const server = createServer(edge.onRequest);
// Idle connections outlive nginx's reuse of them (lib/domain/nginx-config.ts says why).
server.keepAliveTimeout = INSTANCE_KEEPALIVE_SECONDS * 1000;
server.headersTimeout = (INSTANCE_KEEPALIVE_SECONDS + 5) * 1000;
server.on("checkContinue", edge.onCheckContinue);
server.on("clientError", edge.onClientError);
server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === "EADDRINUSE"
      ? `PORT ${port} is already in use (another console, or another program): stop it, or set PORT to a free port.`
      : `The console could not listen on PORT ${port} (${error.code ?? error.message}): set PORT to another port.`,
  );
  process.exit(2);
});
server.listen(port, () => {
  console.log(
    `[console] serving ${dev ? "the development build" : "the production build"} on port ${port}` +
      (env.TRUSTED_PROXY_HOPS
        ? `, behind ${env.TRUSTED_PROXY_HOPS} trusted prox${env.TRUSTED_PROXY_HOPS === 1 ? "y" : "ies"}`
        : ""),
  );
});

let stopping = false;
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  // Ctrl-C reaches this process from the terminal and again from scripts/start.ts: once is enough.
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    // Give in-flight requests and Next's own clean-up a moment, never more.
    const deadline = setTimeout(() => process.exit(code), 5000);
    deadline.unref();
    void app.close().finally(() => process.exit(code));
  });
}
