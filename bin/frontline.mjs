#!/usr/bin/env node
// The composition root of the `frontline` command: the CLI (src/cli) with the platforms
// (adapters/). Runs the TypeScript sources directly through tsx: no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
const { plugins, playground } = await import(new URL("../adapters/index.ts", import.meta.url).href);
const code = await main(process.argv, { plugins, playground });
// A failed command exits now: a handle left open (a connection, a worker) must never keep a
// process that failed to start looking alive to systemd or Docker.
if (code !== 0) process.exit(code);
process.exitCode = code;
