// The whole REST surface of the fake, one module per resource.
import { Router } from "../router.ts";
import { applicationRoutes } from "./applications.ts";
import { channelRoutes } from "./channels.ts";
import { gatewayRoutes } from "./gateway.ts";
import { guildRoutes } from "./guilds.ts";
import { interactionRoutes } from "./interactions.ts";
import { messageRoutes } from "./messages.ts";
import { threadRoutes } from "./threads.ts";
import { userRoutes } from "./users.ts";

export function buildRouter(): Router {
  const r = new Router();
  gatewayRoutes(r);
  userRoutes(r);
  applicationRoutes(r);
  guildRoutes(r);
  channelRoutes(r);
  messageRoutes(r);
  threadRoutes(r);
  interactionRoutes(r);
  return r;
}
