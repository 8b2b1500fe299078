// REST route table: "/channels/:id/messages"-style templates matched segment by segment.
import type { Upload } from "./body.ts";
import type { Core } from "./core.ts";

export interface Ctx {
  core: Core;
  method: string;
  /** Decoded path below /api/v10. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON, checked by handlers
  body: any;
  uploads: Upload[];
}

/** A handler's answer when it is not a plain 200 JSON: another status, or 204 with no body. */
export class Reply {
  constructor(
    readonly status: number,
    readonly json?: unknown,
  ) {}
}

export type Handler = (ctx: Ctx) => Reply | Record<string, unknown> | unknown[];

export const noContent = (): Reply => new Reply(204);
export const reply = (status: number, json: unknown): Reply => new Reply(status, json);

export interface Route {
  method: string;
  template: string;
  segments: string[];
  /** Interaction callbacks and webhook-token routes carry no Authorization header. */
  auth: boolean;
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler, opts: { auth?: boolean } = {}): this {
    this.routes.push({
      method,
      template,
      segments: template.split("/").filter(Boolean),
      auth: opts.auth ?? true,
      handler,
    });
    return this;
  }

  /** The matching route with the most literal segments ("/users/@me" beats "/users/:id"). */
  match(
    method: string,
    segments: string[],
  ): { route: Route; params: Record<string, string> } | undefined {
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (const [i, seg] of route.segments.entries()) {
        const actual = segments[i] as string;
        if (seg.startsWith(":")) params[seg.slice(1)] = actual;
        else if (seg === actual) literals++;
        else {
          ok = false;
          break;
        }
      }
      if (ok && (!best || literals > best.literals)) best = { route, params, literals };
    }
    return best && { route: best.route, params: best.params };
  }

  /** True when some route has this path with another method (Discord answers 405 then). */
  knowsPath(segments: string[]): boolean {
    return ["GET", "POST", "PUT", "PATCH", "DELETE"].some((m) => this.match(m, segments));
  }
}
