/**
 * Runs Debian's nginx (apt-get install nginx) as a foreground child in front of console
 * instances, with its pid, logs and temporary files in a folder of its own, listening on
 * loopback (docs/decisions/042). The configuration is lib/domain/nginx-config.ts's, the same
 * source as the example in deploy/nginx.conf.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { nginxConfig } from "../../lib/domain/nginx-config.ts";

export const NGINX_BINARY = process.env.NGINX_PATH ?? "/usr/sbin/nginx";

export type RunningNginx = {
  port: number;
  accessLog: string;
  errorLog: string;
  /** Graceful stop (QUIT): nginx finishes its requests and writes its logs, then exits. */
  stop: () => Promise<void>;
};

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startNginx(input: {
  port: number;
  instances: readonly { host: string; port: number }[];
  /** Where its files go (created; logs emptied); default a new temporary folder. */
  dir?: string;
}): Promise<RunningNginx> {
  const dir = input.dir ?? mkdtempSync(path.join(tmpdir(), "console-nginx-"));
  const temp = path.join(dir, "temp");
  mkdirSync(temp, { recursive: true });
  // A given folder is reused (the browser tests'): its logs start empty with each run.
  for (const log of ["access.log", "error.log"]) rmSync(path.join(dir, log), { force: true });
  const paths = {
    pid: path.join(dir, "nginx.pid"),
    errorLog: path.join(dir, "error.log"),
    accessLog: path.join(dir, "access.log"),
    temp,
  };
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    nginxConfig({
      listen: { host: "127.0.0.1", port: input.port },
      instances: input.instances,
      paths,
      daemon: false,
    }),
  );
  // -e: the log nginx writes before it has read its configuration (it defaults to /var/log).
  const child = spawn(NGINX_BINARY, ["-p", dir, "-c", conf, "-e", paths.errorLog], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.once("error", (error) => {
    console.error(`nginx could not start (${NGINX_BINARY}): ${error.message}`);
  });
  for (let tries = 0; !(await listening(input.port)); tries++) {
    if (exited || tries > 200)
      throw new Error(`nginx did not start on port ${input.port}: see ${paths.errorLog}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port: input.port,
    accessLog: paths.accessLog,
    errorLog: paths.errorLog,
    async stop() {
      if (!exited) child.kill("SIGQUIT");
      await exit;
    },
  };
}
