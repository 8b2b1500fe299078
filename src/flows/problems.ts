// A problem found in a flow file, with the position an editor can jump to.

export interface FlowProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatProblem(p: FlowProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export function formatProblems(problems: FlowProblem[]): string {
  const sorted = [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
  const files = new Set(sorted.map((p) => p.file)).size;
  const head = `${sorted.length} problem${sorted.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}:`;
  return [head, ...sorted.map((p) => `  ${formatProblem(p)}`)].join("\n");
}
