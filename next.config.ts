import type { NextConfig } from "next";
import { BODY_LIMIT_BYTES } from "./lib/domain/edge-rules";
import { STATIC_SECURITY_HEADERS } from "./lib/domain/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Loaded by Node, not bundled: the metrics registry is one per process (lib/server/metrics.ts).
  serverExternalPackages: ["prom-client"],
  // forbidden() renders app/forbidden.tsx with a 403 status.
  experimental: {
    authInterrupts: true,
    // The same limit as the server's edge (scripts/lib/edge.ts), which refuses larger bodies with
    // a 413 before Next reads them; Next's own check stays as a second line.
    serverActions: { bodySizeLimit: BODY_LIMIT_BYTES },
  },
  async headers() {
    return [
      { source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] },
      // Console pages show personal data: never cache them.
      {
        source: "/((?!_next/static|_next/image|favicon.ico).*)",
        headers: [{ key: "Cache-Control", value: "no-store" }],
      },
    ];
  },
};

export default nextConfig;
