// What the gateway sends after IDENTIFY (READY, then GUILD_CREATE per guild) and for op 8.
import { Intent } from "./intents.ts";
import { apiMember, apiUser, guildCreate } from "./payloads.ts";
import type { World } from "./state.ts";

export function identifyEvents(world: World) {
  const guilds = [...world.guilds.values()].filter((g) => g.botPresent);
  const ready = {
    v: 10,
    user_settings: {},
    user: { ...apiUser(world.bot), verified: true, mfa_enabled: false, email: null },
    guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
    session_type: "normal",
    shard: [0, 1],
    application: { id: world.applicationId, flags: world.applicationFlags },
    private_channels: [],
    relationships: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    _trace: ["fake-discord"],
  };
  return [
    { t: "READY", d: ready, meta: {} },
    ...guilds.map((g) => ({
      t: "GUILD_CREATE",
      d: guildCreate(world, g),
      meta: { intent: Intent.Guilds },
    })),
  ];
}

/** op 8 REQUEST_GUILD_MEMBERS → one GUILD_MEMBERS_CHUNK (by user_ids, or by username prefix). */
export function requestMembers(
  world: World,
  d: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const guild = world.guilds.get(String(d.guild_id));
  if (!guild?.botPresent) return undefined;
  const wanted =
    d.user_ids === undefined ? undefined : ([] as string[]).concat(d.user_ids as string);
  const query = typeof d.query === "string" ? d.query.toLowerCase() : "";
  const limit = typeof d.limit === "number" && d.limit > 0 ? d.limit : Number.POSITIVE_INFINITY;
  const members = [...guild.members.values()].filter((m) =>
    wanted ? wanted.includes(m.userId) : world.user(m.userId).username.startsWith(query),
  );
  const found = members.slice(0, limit);
  const chunk: Record<string, unknown> = {
    guild_id: guild.id,
    members: found.map((m) => apiMember(world, guild, m)),
    chunk_index: 0,
    chunk_count: 1,
    not_found: wanted ? wanted.filter((id) => !guild.members.has(id)) : [],
  };
  if (d.nonce !== undefined) chunk.nonce = d.nonce;
  return chunk;
}
