// `frontline schema [dir]`: writes flow.schema.json and frontline.schema.json for editors.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { botConfigJsonSchema, flowJsonSchema } from "../flows/schema.ts";

export function runSchema(dir: string): number {
  for (const [file, schema] of [
    ["flow.schema.json", flowJsonSchema()],
    ["frontline.schema.json", botConfigJsonSchema()],
  ] as const) {
    writeFileSync(join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
    process.stdout.write(`wrote ${join(dir, file)}\n`);
  }
  return 0;
}
