// Where Frontline's own files are: the checkout (sources run through tsx) or an installed
// package (compiled to dist/), whose folders sit at different depths below package.json.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "frontline")
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("Frontline's package.json was not found above its code");
    dir = parent;
  }
}

export const packageRoot = findRoot();

export function packageVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }
  ).version;
}

/** The flows Frontline ships (four languages, the desk's texts): a starting point to copy. */
export const shippedFlowsDir = join(packageRoot, "flows");
