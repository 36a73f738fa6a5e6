/**
 * A receiver's push endpoint is the receiver's choice, so the console checks where it connects:
 * never a loopback, private, link-local or other non-public address, whether written as an IP or
 * reached through a name that resolves to one (checked at connection time), unless the
 * deployment allows it for development (SSF_PRIVATE_ENDPOINTS=allow, which the tests set).
 */
import http from "node:http";
import type net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { isNonPublicAddress, receiverFetch } from "./receiver-fetch";

let server: http.Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = http.createServer((_, response) => {
    hits += 1;
    response.writeHead(202).end("internal secret");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("isNonPublicAddress", () => {
  it("names loopback, private, link-local, CGNAT, multicast and mapped forms", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.9",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
      "not an address",
    ])
      expect(isNonPublicAddress(address), address).toBe(true);
  });

  it("lets public addresses through", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
      expect(isNonPublicAddress(address), address).toBe(false);
  });
});

describe("receiverFetch", () => {
  it("refuses an endpoint on this machine, by IP and by a name that resolves to it", async () => {
    vi.stubEnv("SSF_PRIVATE_ENDPOINTS", "refuse");
    const before = hits;
    for (const url of [
      `http://127.0.0.1:${port}/events`,
      `http://[::ffff:127.0.0.1]:${port}/events`,
      `http://localhost:${port}/events`,
    ]) {
      const error = await receiverFetch(url, { method: "POST", body: "x" }).catch(
        (e: unknown) => e,
      );
      expect(error, url).toBeInstanceOf(Error);
      // Refused for where it points (undici wraps the connector's error as the cause).
      const reason = (error as Error & { cause?: Error }).cause ?? (error as Error);
      expect(reason.message, url).toBe("the endpoint is not on a public address");
    }
    expect(hits).toBe(before);
  });

  it("reaches it when the deployment allows private endpoints (development, tests)", async () => {
    vi.stubEnv("SSF_PRIVATE_ENDPOINTS", "allow");
    const response = await receiverFetch(`http://127.0.0.1:${port}/events`, {
      method: "POST",
      body: "x",
    });
    expect(response.status).toBe(202);
  });
});
