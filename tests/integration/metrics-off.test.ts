/** GET /metrics without METRICS_TOKEN configured: there is no such page (docs/decisions/041). */
import { describe, expect, it, vi } from "vitest";
import { GET } from "@/app/metrics/route";

vi.hoisted(() => {
  delete process.env.METRICS_TOKEN;
});

describe("GET /metrics with METRICS_TOKEN unset", () => {
  it("answers 404 whatever the request carries", async () => {
    for (const authorization of [undefined, "Bearer ", "Bearer anything-at-all-0123456789abcdef"]) {
      const response = await GET(
        new Request("http://localhost:3000/metrics", {
          headers: authorization ? { authorization } : {},
        }),
      );
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain("console_");
    }
  });
});
