// Parses one YAML file and keeps the positions of its nodes, so every later check can
// point at file:line:column instead of a bare path.
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { FlowProblem } from "./problems.ts";

export type YamlPath = readonly (string | number)[];

export class YamlSource {
  readonly file: string;
  readonly data: unknown;
  readonly syntaxProblems: FlowProblem[];
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(file: string, text: string) {
    this.file = file;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: false,
      uniqueKeys: true,
    });
    this.syntaxProblems = this.doc.errors.map((e) => {
      const { line, col } = this.lines.linePos(e.pos[0]);
      return { file, line, column: col, message: `YAML: ${e.message.split("\n")[0]}` };
    });
    this.data = this.syntaxProblems.length === 0 ? this.doc.toJS() : undefined;
  }

  /** Position of the deepest node that exists along `path` (a key's own position for `key`). */
  position(path: YamlPath, key?: string): { line: number; column: number } {
    let at = [...path];
    if (key !== undefined) {
      const node = this.doc.getIn(at, true);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return this.toPosition(range[0]);
      }
    }
    for (;;) {
      const node = at.length === 0 ? this.doc.contents : this.doc.getIn(at, true);
      const range = (node as { range?: [number, number, number] } | null)?.range;
      if (range) return this.toPosition(range[0]);
      if (at.length === 0) return { line: 1, column: 1 };
      at = at.slice(0, -1);
    }
  }

  problem(path: YamlPath, message: string, key?: string): FlowProblem {
    return { file: this.file, ...this.position(path, key), message };
  }

  private toPosition(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}
