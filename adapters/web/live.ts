// The page's live connection: one Server-Sent Events stream that carries every stream the page
// follows (its customers' chats and debug records, and the desk), so a page with many customer
// tabs still uses a single connection. Each event's id is the cursor over all of them; the
// browser sends it back as Last-Event-ID when it reconnects, and the stream resumes after
// exactly the last entry the page saw.
import type { ServerResponse } from "node:http";
import type { StreamName, WebStore } from "./store.ts";

const PAGE = 200;
const KEEP_ALIVE_MS = 15_000;
const RETRY_MS = 1_000;

export type Cursor = Map<StreamName, string>;

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** "desk=1700000000000-0,c.ab12=1700000000001-3" → a map; anything malformed starts over. */
export function parseCursor(raw: string | undefined, streams: readonly StreamName[]): Cursor {
  const cursor: Cursor = new Map(streams.map((s) => [s, "0"]));
  for (const part of (raw ?? "").split(",")) {
    const [name, id] = part.split("=");
    if (name && id && cursor.has(name as StreamName) && STREAM_ID.test(id))
      cursor.set(name as StreamName, id);
  }
  return cursor;
}

export function formatCursor(cursor: Cursor): string {
  return [...cursor].map(([s, id]) => `${s}=${id}`).join(",");
}

/** Writes what the cursor has not seen, then follows the streams until the page goes away. */
export function followStreams(store: WebStore, out: ServerResponse, cursor: Cursor): void {
  out.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-content-type-options": "nosniff",
  });
  // Reconnect soon after a drop; the cursor makes the retry lose and repeat nothing.
  out.write("retry: 1000\n\n");
  let closed = false;
  let running = false;
  let replayed = false;
  let retry: NodeJS.Timeout | undefined;
  const dirty = new Set<StreamName>(cursor.keys());

  const pump = async (): Promise<void> => {
    if (running || closed) return;
    running = true;
    try {
      while (dirty.size > 0 && !closed) {
        const stream = dirty.values().next().value as StreamName;
        dirty.delete(stream);
        for (;;) {
          const rows = await store.read(stream, cursor.get(stream) ?? "0", PAGE);
          for (const row of rows) {
            cursor.set(stream, row.id);
            const data = JSON.stringify({ stream, id: row.id, entry: row.entry });
            // A slow page (a long replay) is not buffered without bound: wait until it drains.
            if (!out.write(`id: ${formatCursor(cursor)}\ndata: ${data}\n\n`))
              await new Promise<void>((resolve) => {
                const done = () => {
                  out.off("drain", done);
                  out.off("close", done);
                  resolve();
                };
                out.once("drain", done);
                out.once("close", done);
              });
            if (closed) break;
          }
          if (rows.length < PAGE || closed) break;
        }
      }
      if (!replayed && !closed) {
        replayed = true;
        // The page knows the history is all there (and tests wait for it, not for time).
        out.write(`event: ready\ndata: {}\n\n`);
      }
    } catch (err) {
      // Redis is away: say so, and try every stream again shortly (the cursor loses nothing).
      out.write(`event: trouble\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
      retry ??= setTimeout(() => {
        retry = undefined;
        for (const s of cursor.keys()) dirty.add(s);
        void pump();
      }, RETRY_MS);
    } finally {
      running = false;
      if (dirty.size > 0 && !closed) void pump();
    }
  };

  const onChange = (stream: StreamName) => {
    if (!cursor.has(stream)) return;
    dirty.add(stream);
    void pump();
  };
  store.changes.on("change", onChange);
  const keepAlive = setInterval(() => out.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  out.on("close", () => {
    closed = true;
    clearInterval(keepAlive);
    clearTimeout(retry);
    store.changes.off("change", onChange);
  });
  void pump();
}
