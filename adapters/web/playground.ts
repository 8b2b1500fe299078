// The web playground as the composition root hands it to `frontline playground`: the web
// adapter (channel + desk workspace) on Redis, and the server that shows them in one page.
import type { PlaygroundPlugin, PlaygroundWeb } from "../../src/runtime/playground.ts";
import { WebAdapter } from "./adapter.ts";
import { PlaygroundServer } from "./server.ts";
import { WebStore } from "./store.ts";

/** The one agent account of the playground's desk; `/alias` changes the name customers see. */
export const PLAYGROUND_AGENT = { id: "web:agent", name: "Sam" };

export const webPlayground: PlaygroundPlugin = {
  create(options): PlaygroundWeb {
    const adapter = new WebAdapter(new WebStore(options.redis, options.prefix), [PLAYGROUND_AGENT]);
    const server = new PlaygroundServer({
      adapter,
      host: options.host,
      port: options.port,
      token: options.token,
      logger: options.logger,
    });
    return {
      adapter,
      async listen(product) {
        server.attach(product);
        return server.listen();
      },
      close: () => server.close(),
    };
  },
};
