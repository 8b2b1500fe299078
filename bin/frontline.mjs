#!/usr/bin/env node
// The composition root of the `frontline` command: the CLI (src/cli) with the platforms
// (adapters/). In the checkout it runs the TypeScript sources through tsx (no build step);
// installed from the package, it runs the compiled dist/.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
const fromSources = !existsSync(compiled) || existsSync(new URL("../.git", import.meta.url));
if (fromSources) (await import("tsx/esm/api")).register();
const at = (path) => new URL(fromSources ? `../${path}.ts` : `../dist/${path}.js`, import.meta.url);
const { main } = await import(at("src/cli/main").href);
const { plugins, playground } = await import(at("adapters/index").href);
const code = await main(process.argv, { plugins, playground });
// A failed command exits now: a handle left open (a connection, a worker) must never keep a
// process that failed to start looking alive to systemd or Docker.
if (code !== 0) process.exit(code);
process.exitCode = code;
