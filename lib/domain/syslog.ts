/**
 * RFC 5424 syslog messages for the audit stream, framed by octet counting (RFC 6587 §3.4.1, the
 * framing RFC 5425 requires over TLS), and a parser of that framing for tests and receivers.
 */
import { SYSLOG_FACILITIES, type SyslogFacility } from "./siem-sinks";

/** The SD-ID of the audit element: "audit" at the documentation private enterprise number. */
export const AUDIT_SD_ID = "audit@32473";

const SEVERITY = { warning: 4, notice: 5, informational: 6 } as const;
const BOM = "\uFEFF";

export type SyslogEvent = {
  position: bigint | number;
  eventId: string;
  action: string;
  outcome: string;
  time: Date;
};

/** Printable US-ASCII without spaces, at most `max` long, or the NILVALUE "-". */
function header(value: string, max: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return cleaned || "-";
}

/** An SD-PARAM value: '"', '\' and ']' are escaped (RFC 5424 §6.3.3). */
function paramValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** A refusal is a warning; an allowed act is informational (facility from the sink's config). */
export function syslogPri(facility: SyslogFacility, outcome: string): number {
  const severity = outcome === "REFUSED" ? SEVERITY.warning : SEVERITY.informational;
  return SYSLOG_FACILITIES[facility] * 8 + severity;
}

/**
 * One message: PRI, VERSION 1, the event's time, HOSTNAME, APP-NAME, PROCID "-", MSGID the
 * action, the audit SD element (position, event id, outcome), then the formatted event as a
 * UTF-8 MSG (with the BOM RFC 5424 asks for). `msg` must be one line.
 */
export function syslogMessage(
  event: SyslogEvent,
  msg: string,
  options: { facility: SyslogFacility; hostname: string; appName: string },
): string {
  const sd = `[${AUDIT_SD_ID} position="${event.position}" eventId="${paramValue(event.eventId)}" outcome="${paramValue(event.outcome)}"]`;
  return [
    `<${syslogPri(options.facility, event.outcome)}>1`,
    event.time.toISOString(),
    header(options.hostname, 255),
    header(options.appName, 48),
    "-",
    header(event.action, 32),
    sd,
    BOM + msg.replace(/[\r\n]+/g, " "),
  ].join(" ");
}

/** Octet-counting framing: the message's length in bytes, a space, the message. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}

/**
 * Splits a stream of octet-counted frames. Returns the complete messages and the bytes left over
 * (an incomplete frame, to be prefixed to the next chunk). Throws on bytes that are not a frame.
 */
export function parseOctetFrames(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const space = buffer.indexOf(0x20, offset);
    if (space === -1) break;
    const lengthText = buffer.subarray(offset, space).toString("ascii");
    if (!/^[1-9][0-9]{0,8}$/.test(lengthText))
      throw new Error(`not an octet-counted frame: ${JSON.stringify(lengthText.slice(0, 20))}`);
    const length = Number(lengthText);
    if (space + 1 + length > buffer.length) break;
    messages.push(buffer.subarray(space + 1, space + 1 + length).toString("utf8"));
    offset = space + 1 + length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

export type ParsedSyslog = {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: Record<string, Record<string, string>>;
  msg: string;
};

/** Reads back a message syslogMessage made (SD elements with quoted values; MSG after the BOM). */
export function parseSyslogMessage(message: string): ParsedSyslog {
  const head = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(message);
  if (!head) throw new Error(`not an RFC 5424 message: ${message.slice(0, 80)}`);
  let rest = message.slice(head[0].length);
  const sd: ParsedSyslog["sd"] = {};
  if (rest.startsWith("-")) rest = rest.slice(1);
  while (rest.startsWith("[")) {
    const element = /^\[([^\s\]]+)((?: [^=\s]+="(?:[^"\\]|\\.)*")*)\]/.exec(rest);
    if (!element) throw new Error(`bad structured data: ${rest.slice(0, 80)}`);
    const params: Record<string, string> = {};
    for (const param of element[2]!.matchAll(/ ([^=\s]+)="((?:[^"\\]|\\.)*)"/g))
      params[param[1]!] = param[2]!.replace(/\\(["\\\]])/g, "$1");
    sd[element[1]!] = params;
    rest = rest.slice(element[0].length);
  }
  const msg = rest.startsWith(" ") ? rest.slice(1) : rest;
  return {
    pri: Number(head[1]),
    version: Number(head[2]),
    timestamp: head[3]!,
    hostname: head[4]!,
    appName: head[5]!,
    procId: head[6]!,
    msgId: head[7]!,
    sd,
    msg: msg.startsWith(BOM) ? msg.slice(1) : msg,
  };
}
