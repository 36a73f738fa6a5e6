/**
 * Writes deploy/nginx.conf, the example load balancer operators start from
 * (docs/decisions/042), from lib/domain/nginx-config.ts: the same function that configures the
 * nginx the tests run. `npm run nginx:example` after changing it; a unit test fails while the
 * file and the function disagree.
 */
import { writeFileSync } from "node:fs";
import { EXAMPLE_NGINX_INPUT, nginxConfig } from "../lib/domain/nginx-config.ts";

const file = new URL("../deploy/nginx.conf", import.meta.url);
writeFileSync(file, nginxConfig(EXAMPLE_NGINX_INPUT));
console.log(`wrote ${file.pathname}`);
