import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ipAddress, isIpAddress, resolveForwarding } from "./client-address";

const SOCKET = "10.0.0.5";
const resolve = (
  hops: number,
  headers: { for?: string; host?: string; proto?: string } = {},
  socketAddress: string | undefined = SOCKET,
) =>
  resolveForwarding({
    socketAddress,
    forwardedFor: headers.for,
    forwardedHost: headers.host,
    forwardedProto: headers.proto,
    hops,
  });

describe("resolveForwarding", () => {
  it("with no trusted proxy, takes the socket's address and ignores every forwarded header", () => {
    expect(resolve(0, { for: "203.0.113.7", host: "evil.example", proto: "https" })).toEqual({
      clientAddress: SOCKET,
      host: null,
      proto: null,
    });
    expect(resolve(0, {}, "::ffff:127.0.0.1").clientAddress).toBe("::ffff:127.0.0.1");
    expect(
      resolveForwarding({
        socketAddress: undefined,
        forwardedFor: "203.0.113.7",
        forwardedHost: undefined,
        forwardedProto: undefined,
        hops: 0,
      }).clientAddress,
    ).toBeNull();
  });

  it.each([
    // [hops, X-Forwarded-For, expected]
    [1, "203.0.113.7", "203.0.113.7"],
    [1, "198.51.100.1, 203.0.113.7", "203.0.113.7"],
    [2, "198.51.100.1, 203.0.113.7", "198.51.100.1"],
    [2, "6.6.6.6, 198.51.100.1, 203.0.113.7", "198.51.100.1"],
    [3, "198.51.100.1, 203.0.113.7", SOCKET], // fewer entries than proxies
    [1, "", SOCKET],
    [1, " , ", SOCKET],
    [1, "unknown", SOCKET], // a proxy that writes nonsense is not believed
    [1, "203.0.113.7:5123", "203.0.113.7"],
    [1, "[2001:DB8::1]:443", "2001:db8::1"],
    [1, "2001:db8::1", "2001:db8::1"],
    [1, "999.1.1.1", SOCKET],
    [1, "1.2.3.4\u0000", SOCKET],
  ])("hops %i, X-Forwarded-For %j → %s", (hops, header, expected) => {
    expect(resolve(hops, { for: header }).clientAddress).toBe(expected);
  });

  it("with a trusted proxy, takes host and protocol from the nearest one, if they are well formed", () => {
    expect(resolve(1, { host: "console.example:8443", proto: "HTTPS" })).toMatchObject({
      host: "console.example:8443",
      proto: "https",
    });
    expect(
      resolve(1, { host: "client.example, console.example", proto: "http, https" }),
    ).toMatchObject({ host: "console.example", proto: "https" });
    expect(resolve(1, { host: "evil.example/path", proto: "gopher" })).toMatchObject({
      host: null,
      proto: null,
    });
    expect(resolve(1)).toMatchObject({ host: null, proto: null });
  });

  it("with hops 0, nothing in any header ever becomes the client's address", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { maxLength: 6 }),
        fc.string(),
        fc.string(),
        fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined }),
        (list, host, proto, socket) => {
          const result = resolveForwarding({
            socketAddress: socket,
            forwardedFor: list.join(", "),
            forwardedHost: host,
            forwardedProto: proto,
            hops: 0,
          });
          expect(result.clientAddress).toBe(socket === undefined ? null : ipAddress(socket));
          expect(result.host).toBeNull();
          expect(result.proto).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("with N hops, takes the N-th address from the right, or the socket's when there are fewer", () => {
    fc.assert(
      fc.property(
        fc.array(fc.ipV4(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (list, hops) => {
          const result = resolve(hops, { for: list.join(", ") });
          expect(result.clientAddress).toBe(
            list.length >= hops ? list[list.length - hops] : SOCKET,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("only ever answers an IP address or null", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0, max: 10 }),
        fc.string(),
        (header, hops, socket) => {
          const { clientAddress } = resolve(hops, { for: header }, socket);
          if (clientAddress !== null) expect(isIpAddress(clientAddress)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("ipAddress", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1"],
    ["fe80::1%eth0", null],
    ["localhost", null],
    ["1.2.3", null],
    ["01.2.3.4", null],
    ["1.2.3.4.5", null],
    ["[::1]", "::1"],
    ["<script>", null],
  ])("%j → %j", (value, expected) => {
    expect(ipAddress(value)).toBe(expected);
  });
});
