// GET /gateway, /gateway/bot: where the shard connects (this fake's own ws:// URL).
import type { Router } from "../router.ts";

export function gatewayRoutes(r: Router): void {
  r.add("GET", "/gateway", ({ core }) => ({ url: `ws://127.0.0.1:${core.port}` }));
  r.add("GET", "/gateway/bot", ({ core }) => ({
    url: `ws://127.0.0.1:${core.port}`,
    shards: 1,
    session_start_limit: {
      total: 1000,
      remaining: Math.max(0, 1000 - core.gateway.identifies),
      reset_after: 14_400_000,
      // @discordjs/ws's identify throttler reads this.
      max_concurrency: 1,
    },
  }));
}
