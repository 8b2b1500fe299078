// /guilds: the guild, its channels, roles, members and active threads.
import type { Core } from "../core.ts";
import { missingAccess, unknownGuild, unknownMember } from "../errors.ts";
import {
  activeThreads,
  apiChannel,
  apiGuild,
  apiMember,
  apiRole,
  guildChannels,
  threadMember,
} from "../payloads.ts";
import type { Router } from "../router.ts";
import type { GuildRec } from "../types.ts";

function botGuild(core: Core, id: string): GuildRec {
  const g = core.world.guilds.get(id);
  if (!g) throw unknownGuild();
  if (!g.botPresent) throw missingAccess();
  return g;
}

export function guildRoutes(r: Router): void {
  r.add("GET", "/guilds/:id", ({ core, params, query }) => {
    const g = botGuild(core, params.id as string);
    const out = apiGuild(g);
    if (query.get("with_counts") === "true") {
      out.approximate_member_count = g.members.size;
      out.approximate_presence_count = 0;
    }
    return out;
  });

  r.add("GET", "/guilds/:id/channels", ({ core, params }) => {
    const g = botGuild(core, params.id as string);
    return guildChannels(core.world, g).map((c) => apiChannel(core.world, c));
  });

  r.add("GET", "/guilds/:id/roles", ({ core, params }) =>
    [...botGuild(core, params.id as string).roles.values()].map(apiRole),
  );

  r.add("GET", "/guilds/:id/members/:userId", ({ core, params }) => {
    const g = botGuild(core, params.id as string);
    const userId = params.userId === "@me" ? core.world.bot.id : (params.userId as string);
    const m = g.members.get(userId);
    if (!m) throw unknownMember();
    return apiMember(core.world, g, m);
  });

  r.add("GET", "/guilds/:id/members", ({ core, params, query }) => {
    const g = botGuild(core, params.id as string);
    const limit = Math.min(1000, Math.max(1, Number(query.get("limit") ?? 1)));
    const after = BigInt(query.get("after") ?? "0");
    return [...g.members.values()]
      .filter((m) => BigInt(m.userId) > after)
      .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
      .slice(0, limit)
      .map((m) => apiMember(core.world, g, m));
  });

  r.add("GET", "/guilds/:id/threads/active", ({ core, params }) => {
    const g = botGuild(core, params.id as string);
    const threads = activeThreads(core.world, g);
    const bot = core.world.bot.id;
    return {
      threads: threads.map((t) => apiChannel(core.world, t)),
      members: threads.filter((t) => t.memberIds.has(bot)).map((t) => threadMember(t.id, bot)),
    };
  });
}
