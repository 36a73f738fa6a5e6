import { describe, expect, it } from "vitest";
import { GET } from "@/app/healthz/route";

describe("GET /healthz", () => {
  it("answers 200 ok, uncached, saying nothing about the deployment", async () => {
    const response = await GET(new Request("http://localhost:3000/healthz"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("ok\n");
  });

  it("refuses a cross-site request like every route", async () => {
    const response = await GET(
      new Request("http://localhost:3000/healthz", {
        headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" },
      }),
    );
    expect(response.status).toBe(403);
  });
});
