// /users: the bot itself, other users, opening a DM.
import { unknownUser } from "../errors.ts";
import { apiChannel, apiUser } from "../payloads.ts";
import { basePermissions } from "../permissions.ts";
import type { Router } from "../router.ts";

export function userRoutes(r: Router): void {
  r.add("GET", "/users/@me", ({ core }) => ({
    ...apiUser(core.world.bot),
    verified: true,
    mfa_enabled: false,
    locale: "en-US",
    email: null,
  }));

  r.add("GET", "/users/:id", ({ core, params }) => {
    const u = core.world.users.get(params.id as string);
    if (!u) throw unknownUser();
    return apiUser(u);
  });

  r.add("GET", "/users/@me/guilds", ({ core }) =>
    [...core.world.guilds.values()]
      .filter((g) => g.botPresent)
      .map((g) => ({
        id: g.id,
        name: g.name,
        icon: null,
        banner: null,
        owner: false,
        permissions: basePermissions(g, core.world.bot.id).toString(),
        features: [],
      })),
  );

  // Opening a DM always works; whether a message may be sent is decided when it is sent.
  r.add("POST", "/users/@me/channels", ({ core, body }) => {
    const u = core.world.users.get(String(body.recipient_id ?? ""));
    if (!u || u.bot) throw unknownUser();
    return apiChannel(core.world, core.world.ensureDM(u.id));
  });
}
