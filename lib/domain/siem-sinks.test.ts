import { describe, expect, it } from "vitest";
import { backoffMs, describeSink, parseSiemSinks, permanentHttpStatus } from "./siem-sinks";
import {
  AUDIT_SD_ID,
  octetFrame,
  parseOctetFrames,
  parseSyslogMessage,
  syslogMessage,
} from "./syslog";

const KEY = "k".repeat(40);
const webhook = {
  name: "splunk",
  type: "webhook",
  url: "https://siem.example/hec?token=abc",
  secretEnv: "SIEM_KEY",
};
const syslog = { name: "rsyslog", type: "syslog", host: "logs.example", port: 6514 };
const parse = (value: unknown, env: Record<string, string> = { SIEM_KEY: KEY }) =>
  parseSiemSinks(JSON.stringify(value), env);

describe("SIEM_SINKS", () => {
  it("is empty when unset or blank", () => {
    expect(parseSiemSinks(undefined)).toEqual([]);
    expect(parseSiemSinks("  ")).toEqual([]);
  });

  it("parses webhooks and syslog sinks with their defaults", () => {
    const [hook, log] = parse([webhook, { ...syslog, facility: "local4" }]);
    expect(hook).toEqual({
      name: "splunk",
      type: "webhook",
      url: "https://siem.example/hec?token=abc",
      format: "jsonl",
      batchSize: 100,
      maxAttempts: 8,
      timeoutMs: 10_000,
      headers: {},
      secret: { env: "SIEM_KEY", value: KEY },
    });
    expect(log).toMatchObject({
      transport: "tls",
      format: "jsonl",
      appName: "recovery-console",
      facility: "local4",
    });
    expect(parse([{ ...webhook, secretEnv: undefined, secretFile: "/run/key" }])[0]).toMatchObject({
      secret: { file: "/run/key" },
    });
  });

  it("describes where a sink sends without secrets, credentials or query strings", () => {
    const [hook, log] = parse([
      { ...webhook, url: "https://user:pw@siem.example/in?token=abc" },
      syslog,
    ]);
    expect(describeSink(hook!)).toBe("https://siem.example/in");
    expect(describeSink(log!)).toBe("tls://logs.example:6514");
  });

  it.each([
    ["not JSON", "[{", /SIEM_SINKS is not JSON/],
    ["not a list", { name: "x" }, /SIEM_SINKS is a JSON list of sinks/],
    ["no type", [{ name: "x" }], /sink 1 \("x"\).*type: "webhook" or "syslog"/],
    ["plain http", [{ ...webhook, url: "http://siem.example/" }], /url must be https/],
    ["no key", [{ ...webhook, secretEnv: undefined }], /exactly one of secretFile or secretEnv/],
    ["an inline key", [{ ...webhook, secret: KEY }], /sink 1 \("splunk"\).*secret/],
    ["two names", [webhook, { ...syslog, name: "splunk" }], /"splunk" is used twice/],
    ["a bad format", [{ ...webhook, format: "cef" }], /format is "jsonl" or "ocsf"/],
    ["a bad port", [{ ...syslog, port: 70000 }], /sink 1 \("rsyslog"\) port: port is 1 to 65535/],
    ["a CA over tcp", [{ ...syslog, transport: "tcp", caFile: "/ca" }], /caFile is only for/],
    ["a reserved header", [{ ...webhook, headers: { "X-Console-Batch": "1" } }], /may not replace/],
    ["a huge batch", [{ ...webhook, batchSize: 5000 }], /batchSize is at most 1000/],
  ])("refuses %s with a clear message", (_, value, message) => {
    expect(() =>
      typeof value === "string" ? parseSiemSinks(value, {}) : parse(value),
    ).toThrowError(message);
  });

  it("allows http to localhost only, for tests and the demo", () => {
    expect(parse([{ ...webhook, url: "http://127.0.0.1:8080/in" }])).toHaveLength(1);
    expect(parse([{ ...webhook, url: "http://localhost:8080/in" }])).toHaveLength(1);
  });

  it("refuses a secretEnv that is unset or too short, without repeating its value", () => {
    expect(() => parse([webhook], {})).toThrowError(/SIEM_KEY must be set/);
    let message = "";
    try {
      parse([webhook], { SIEM_KEY: "short-secret" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/at least 32 characters/);
    expect(message).not.toContain("short-secret");
  });
});

describe("delivery rules", () => {
  it("backs off exponentially, capped, with jitter in the upper half", () => {
    expect(backoffMs(1, () => 0)).toBe(2_500);
    expect(backoffMs(1, () => 1)).toBe(5_000);
    expect(backoffMs(3, () => 1)).toBe(20_000);
    expect(backoffMs(30, () => 1)).toBe(15 * 60_000);
  });

  it("treats 4xx as permanent except 408 and 429", () => {
    expect([400, 401, 403, 404, 413, 422].every(permanentHttpStatus)).toBe(true);
    expect([408, 429, 500, 502, 503, 200, 302].some(permanentHttpStatus)).toBe(false);
  });
});

describe("syslog messages", () => {
  const event = {
    position: 41n,
    eventId: "0b9f3b8e-6f0e-4c53-9f0d-3a1b2c3d4e5f",
    action: "case.opened",
    outcome: "REFUSED",
    time: new Date("2026-11-24T10:00:00.123Z"),
  };
  const options = { facility: "authpriv" as const, hostname: "console-1", appName: "console" };

  it("is RFC 5424 with the audit SD element and MSG after a BOM", () => {
    const message = syslogMessage(event, '{"a":"]\\""}', options);
    expect(
      message.startsWith("<84>1 2026-11-24T10:00:00.123Z console-1 console - case.opened ["),
    ).toBe(true);
    expect(parseSyslogMessage(message)).toEqual({
      pri: 10 * 8 + 4,
      version: 1,
      timestamp: "2026-11-24T10:00:00.123Z",
      hostname: "console-1",
      appName: "console",
      procId: "-",
      msgId: "case.opened",
      sd: { [AUDIT_SD_ID]: { position: "41", eventId: event.eventId, outcome: "REFUSED" } },
      msg: '{"a":"]\\""}',
    });
    expect(
      parseSyslogMessage(syslogMessage({ ...event, outcome: "ALLOWED" }, "{}", options)).pri,
    ).toBe(86);
  });

  it("frames by octet count, multi-byte characters included, across chunk boundaries", () => {
    const frames = Buffer.concat([octetFrame("é one"), octetFrame("two")]);
    expect(frames.subarray(0, 8).toString("utf8")).toBe("6 é one");
    const head = parseOctetFrames(frames.subarray(0, 5));
    expect(head.messages).toEqual([]);
    const all = parseOctetFrames(Buffer.concat([head.rest, frames.subarray(5)]));
    expect(all).toEqual({ messages: ["é one", "two"], rest: Buffer.alloc(0) });
    expect(() => parseOctetFrames(Buffer.from("<13>1 no framing"))).toThrowError(/octet-counted/);
  });
});
