// Part of `npm run build`: files the compiled code reads at run time, copied beside it in dist/
// (tsc emits only JavaScript and declarations).
import { cpSync } from "node:fs";

for (const dir of ["src/nlu/data", "adapters/web/page"])
  cpSync(dir, `dist/${dir}`, { recursive: true });
