#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx: no build step between editing and running.
import { register } from "tsx/esm/api";

register();
const { main } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
process.exitCode = await main(process.argv);
