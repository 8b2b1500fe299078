// Public entry of the fake Discord (REST + gateway on one loopback port) used by adapter tests.
export { DiscordError } from "./errors.ts";
export { FakeDiscord, type GatewayView, type InteractionOptions } from "./harness.ts";
export { Intent } from "./intents.ts";
export type { UserSendOptions } from "./people.ts";
export { ALL_PERMISSIONS, BOT_DEFAULT, EVERYONE_DEFAULT, Perm } from "./permissions.ts";
export type { AddChannelOptions, CommandRec } from "./state.ts";
export type * from "./types.ts";
