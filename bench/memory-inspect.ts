// Live JS heap of a child process of `npm run bench:memory`, after a full garbage collection:
// tells memory the process still holds apart from garbage V8 has not given back yet. Opens the
// child's inspector at run time (SIGUSR1; the child was started with --inspect-port=0 so it
// picks a free port), asks for a GC over the DevTools protocol, and reads process.memoryUsage().
// Only called after the RSS samples: the inspector costs a few MB of its own.

import WebSocket from "ws";

/** process.memoryUsage() in MB (MiB). */
export interface HeapUse {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

export interface LiveHeap {
  /** Just before the collection: garbage included. */
  before: HeapUse;
  /** After a full GC: what the process still holds. */
  after: HeapUse;
}

const INSPECTOR_URL = /Debugger listening on (ws:\/\/\S+)/;

/**
 * `output` returns what the child printed so far (the inspector announces its URL on stderr).
 * Resolves undefined when the inspector could not be reached within `timeoutMs`.
 */
export async function liveHeap(
  pid: number,
  output: () => string,
  timeoutMs = 15_000,
): Promise<LiveHeap | undefined> {
  const until = performance.now() + timeoutMs;
  let url = INSPECTOR_URL.exec(output())?.[1];
  if (!url) process.kill(pid, "SIGUSR1");
  while (!url && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    url = INSPECTOR_URL.exec(output())?.[1];
  }
  if (!url) return undefined;
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    let nextId = 1;
    const call = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(
          () => reject(new Error(`inspector: ${method} timed out`)),
          Math.max(1_000, until - performance.now()),
        );
        const onMessage = (data: WebSocket.RawData) => {
          const msg = JSON.parse(String(data)) as {
            id?: number;
            result?: Record<string, unknown>;
            error?: { message: string };
          };
          if (msg.id !== id) return;
          ws.off("message", onMessage);
          clearTimeout(timer);
          if (msg.error) reject(new Error(`inspector: ${method}: ${msg.error.message}`));
          else resolve(msg.result ?? {});
        };
        ws.on("message", onMessage);
        ws.send(JSON.stringify({ id, method, params }));
      });
    const usage = async (): Promise<HeapUse> => {
      const res = await call("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      });
      const value = (res.result as { value?: string } | undefined)?.value;
      if (!value) throw new Error("inspector: no value from process.memoryUsage()");
      const m = JSON.parse(value) as Record<keyof HeapUse, number>;
      const mb = (n: number) => n / 1024 / 1024;
      return {
        heapUsed: mb(m.heapUsed),
        heapTotal: mb(m.heapTotal),
        external: mb(m.external),
        arrayBuffers: mb(m.arrayBuffers),
        rss: mb(m.rss),
      };
    };
    const before = await usage();
    // Twice: the first pass may leave objects that only the second can free (weak callbacks).
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    return { before, after: await usage() };
  } catch {
    return undefined;
  } finally {
    ws.close();
  }
}
