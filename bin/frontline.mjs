#!/usr/bin/env node
// The composition root of the `frontline` command: the CLI (src/cli) with the platforms
// (adapters/). Runs the TypeScript sources directly through tsx: no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
const { plugins } = await import(new URL("../adapters/index.ts", import.meta.url).href);
process.exitCode = await main(process.argv, { plugins });
