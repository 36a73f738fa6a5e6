import { describe, expect, it } from "vitest";
import {
  acceptsSession,
  connectionOrder,
  DatabaseUrlError,
  describeHosts,
  isMultiHostUrl,
  parseDatabaseUrl,
} from "./database-url";

describe("the database URL in libpq's syntax", () => {
  it("reads a single-host URL as one host and hands it on as node-postgres reads it today", () => {
    const url = "postgresql://console_app:s%40cret@db.internal:6543/console?sslmode=require";
    const parsed = parseDatabaseUrl(url);
    expect(parsed.hosts).toEqual([{ host: "db.internal", port: 6543 }]);
    expect(parsed.targetSessionAttrs).toBe("any");
    expect(parsed.urls).toEqual([url]);
    expect(isMultiHostUrl(url)).toBe(false);
  });

  it("reads libpq's connect_timeout (seconds, at least 2, as libpq) and hands it on", () => {
    const parsed = parseDatabaseUrl(
      "postgresql://u:p@db1,db2/c?target_session_attrs=read-write&connect_timeout=1",
    );
    expect(parsed.connectTimeoutSeconds).toBe(2);
    expect(parsed.urls[0]).toBe("postgresql://u:p@db1:5432/c?connect_timeout=1");
    expect(parseDatabaseUrl("postgresql://u:p@db1/c?connect_timeout=7").connectTimeoutSeconds).toBe(
      7,
    );
    expect(parseDatabaseUrl("postgresql://u:p@db1/c").connectTimeoutSeconds).toBeNull();
  });

  it("defaults the port to 5432, as libpq does", () => {
    expect(parseDatabaseUrl("postgres://u@db/console").hosts).toEqual([{ host: "db", port: 5432 }]);
  });

  it("splits a host list into one URL per host, in the URL's order, without target_session_attrs", () => {
    const parsed = parseDatabaseUrl(
      "postgresql://console_app:pw@db1:5432,db2:5433/console?sslmode=require&target_session_attrs=read-write",
    );
    expect(parsed.hosts).toEqual([
      { host: "db1", port: 5432 },
      { host: "db2", port: 5433 },
    ]);
    expect(parsed.targetSessionAttrs).toBe("read-write");
    expect(parsed.urls).toEqual([
      "postgresql://console_app:pw@db1:5432/console?sslmode=require",
      "postgresql://console_app:pw@db2:5433/console?sslmode=require",
    ]);
    expect(isMultiHostUrl("postgresql://u:p@db1,db2/c?target_session_attrs=primary")).toBe(true);
  });

  it("reads libpq's ?host= and ?port= lists, one port for all or one per host", () => {
    const perHost = parseDatabaseUrl(
      "postgresql://u:p@/console?host=db1,db2&port=5432,5433&target_session_attrs=primary",
    );
    expect(perHost.hosts).toEqual([
      { host: "db1", port: 5432 },
      { host: "db2", port: 5433 },
    ]);
    expect(perHost.targetSessionAttrs).toBe("primary");
    expect(perHost.urls[1]).toBe("postgresql://u:p@db2:5433/console");
    const shared = parseDatabaseUrl(
      "postgresql://u:p@/console?host=db1,db2&port=6000&target_session_attrs=read-write",
    );
    expect(shared.hosts.map((h) => h.port)).toEqual([6000, 6000]);
  });

  it("reads IPv6 addresses in brackets and keeps them bracketed in the URLs it hands on", () => {
    const parsed = parseDatabaseUrl(
      "postgresql://u:p@[::1]:5432,[fd00::2]/console?target_session_attrs=read-write",
    );
    expect(parsed.hosts).toEqual([
      { host: "::1", port: 5432 },
      { host: "fd00::2", port: 5432 },
    ]);
    expect(parsed.urls).toEqual([
      "postgresql://u:p@[::1]:5432/console",
      "postgresql://u:p@[fd00::2]:5432/console",
    ]);
    expect(describeHosts(parsed.hosts)).toBe("[::1]:5432,[fd00::2]:5432");
  });

  it("refuses what cannot work, in one line: a standby as target, a list without read-write, bad ports", () => {
    const refusal = (url: string) => {
      try {
        parseDatabaseUrl(url);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(DatabaseUrlError);
        return (error as Error).message;
      }
    };
    expect(refusal("postgresql://u:p@db1,db2/c")).toMatch(/target_session_attrs=read-write/);
    expect(refusal("postgresql://u:p@db1,db2/c?target_session_attrs=standby")).toMatch(
      /console writes/,
    );
    expect(refusal("postgresql://u:p@db1:54x32/c")).toMatch(/a port is not a number/);
    expect(refusal("postgresql://u:p@db1,/c?target_session_attrs=read-write")).toMatch(
      /needs a name/,
    );
    expect(
      refusal("postgresql://u:p@/c?host=a,b,c&port=1,2&target_session_attrs=read-write"),
    ).toMatch(/3 hosts but 2 ports/);
    expect(refusal("mysql://u:p@db/c")).toMatch(/not a postgresql/);
  });
});

describe("the order the hosts are tried in", () => {
  it("is the URL's order until a host has taken writes", () => {
    expect(connectionOrder(3, null)).toEqual([0, 1, 2]);
  });

  it("starts with the host that last took writes, then the others in the URL's order", () => {
    expect(connectionOrder(3, 1)).toEqual([1, 0, 2]);
    expect(connectionOrder(3, 2)).toEqual([2, 0, 1]);
    expect(connectionOrder(2, 5)).toEqual([0, 1]);
  });
});

describe("which server is kept", () => {
  it("keeps only a server out of recovery for read-write and primary, and also not read-only for read-write", () => {
    const primary = { inRecovery: false, readOnly: false };
    const standby = { inRecovery: true, readOnly: true };
    const readOnlyPrimary = { inRecovery: false, readOnly: true };
    expect(acceptsSession("read-write", primary)).toBe(true);
    expect(acceptsSession("read-write", standby)).toBe(false);
    expect(acceptsSession("read-write", readOnlyPrimary)).toBe(false);
    expect(acceptsSession("primary", readOnlyPrimary)).toBe(true);
    expect(acceptsSession("primary", standby)).toBe(false);
    expect(acceptsSession("any", standby)).toBe(true);
  });
});
