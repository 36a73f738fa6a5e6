import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXAMPLE_NGINX_INPUT, INSTANCE_KEEPALIVE_SECONDS, nginxConfig } from "./nginx-config";

describe("nginxConfig", () => {
  it("is the source of the shipped example (npm run nginx:example)", () => {
    const shipped = readFileSync(new URL("../../deploy/nginx.conf", import.meta.url), "utf8");
    expect(shipped).toBe(nginxConfig(EXAMPLE_NGINX_INPUT));
  });

  it("never logs the request line, the raw URI, the query string or the Referer", () => {
    const conf = nginxConfig(EXAMPLE_NGINX_INPUT);
    const format = conf.slice(conf.indexOf("log_format"), conf.indexOf("access_log"));
    for (const variable of ["$request ", '$request"', "$request_uri", "$args", "$query_string"])
      expect(format).not.toContain(variable);
    expect(format).not.toContain("$http_referer");
    expect(format).toContain("$console_logged_path");
  });

  it("balances over every instance and runs in the foreground only when asked", () => {
    const conf = nginxConfig({ ...EXAMPLE_NGINX_INPUT, daemon: false });
    expect(conf).toContain("daemon off;");
    expect(conf).toContain("server 127.0.0.1:3001 ");
    expect(conf).toContain("server 127.0.0.1:3002 ");
    expect(nginxConfig(EXAMPLE_NGINX_INPUT)).not.toContain("daemon");
  });

  it("lets an idle upstream connection go before the instance would close it (no 502 for a POST sent as it closes)", () => {
    const conf = nginxConfig(EXAMPLE_NGINX_INPUT);
    const upstream = conf.slice(conf.indexOf("upstream console {"), conf.indexOf("server {"));
    const seconds = Number(/keepalive_timeout (\d+)s;/.exec(upstream)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    // With room for a slow loop on either side.
    expect(INSTANCE_KEEPALIVE_SECONDS - seconds).toBeGreaterThanOrEqual(30);
  });

  it("refuses what would break out of the configuration", () => {
    expect(() => nginxConfig({ ...EXAMPLE_NGINX_INPUT, instances: [] })).toThrow();
    expect(() =>
      nginxConfig({ ...EXAMPLE_NGINX_INPUT, instances: [{ host: "a; b", port: 1 }] }),
    ).toThrow();
    expect(() =>
      nginxConfig({ ...EXAMPLE_NGINX_INPUT, instances: [{ host: "127.0.0.1", port: 70000 }] }),
    ).toThrow();
    expect(() =>
      nginxConfig({
        ...EXAMPLE_NGINX_INPUT,
        paths: { ...EXAMPLE_NGINX_INPUT.paths, accessLog: '/tmp/x"; include /etc' },
      }),
    ).toThrow();
  });
});
