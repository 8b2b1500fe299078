// GET/PATCH/DELETE /channels/{id}: renames (see renames.ts), archive/lock rules of threads,
// forum tags.
import { botPerms, visibleChannel } from "../access.ts";
import type { Core } from "../core.ts";
import { invalidField, missingPermissions, rateLimited, threadArchived } from "../errors.ts";
import { channelEvent } from "../events.ts";
import { apiChannel } from "../payloads.ts";
import { has, isThread, Perm } from "../permissions.ts";
import type { Router } from "../router.ts";
import type { ChannelRec } from "../types.ts";
import { AUTO_ARCHIVE, validateThreadName } from "../validate.ts";

type Obj = Record<string, unknown>;

function editThread(core: Core, th: ChannelRec, body: Obj): void {
  const perms = botPerms(core, th);
  const manage = has(perms, Perm.ManageThreads);
  const own = th.ownerId === core.world.bot.id;
  // discord.js sends null for options it was not given.
  const touches = (k: string) => body[k] !== undefined && body[k] !== null;
  if (th.archived && body.archived !== false) {
    // An archived thread takes no edit except unarchiving (so archive + lock go in one PATCH).
    throw threadArchived();
  }
  if ((touches("locked") || touches("invitable")) && !manage) throw missingPermissions();
  if ((touches("name") || touches("archived") || touches("applied_tags")) && !own && !manage) {
    throw missingPermissions();
  }
  if (th.locked && body.archived === false && !manage) throw missingPermissions();
  if (touches("auto_archive_duration") && !AUTO_ARCHIVE.has(Number(body.auto_archive_duration))) {
    throw invalidField(
      "auto_archive_duration",
      "BASE_TYPE_CHOICES",
      "Value must be one of {60, 1440, 4320, 10080}.",
    );
  }
  let tags: string[] | undefined;
  if (touches("applied_tags")) {
    const parent = th.parentId ? core.world.channel(th.parentId) : undefined;
    tags = ((body.applied_tags as unknown[]) ?? []).map(String);
    const known = new Set(parent?.availableTags.map((t) => t.id));
    if (tags.length > 5 || tags.some((t) => !known.has(t))) {
      throw invalidField("applied_tags", "BASE_TYPE_INVALID", "Invalid forum tag(s)");
    }
  }
  const name = touches("name") ? validateThreadName(body.name) : undefined;
  rename(core, th, name);
  if (tags) th.appliedTags = tags;
  if (touches("auto_archive_duration")) th.autoArchiveDuration = Number(body.auto_archive_duration);
  if (touches("invitable") && th.type === 12) th.invitable = body.invitable === true;
  if (touches("locked")) th.locked = body.locked === true;
  if (touches("archived") && th.archived !== (body.archived === true)) {
    th.archived = body.archived === true;
    th.archiveTimestamp = new Date().toISOString();
  }
}

function editChannel(core: Core, ch: ChannelRec, body: Obj): void {
  if (!has(botPerms(core, ch), Perm.ManageChannels)) throw missingPermissions();
  const name = body.name !== undefined ? validateThreadName(body.name) : undefined;
  rename(core, ch, name);
  if (body.topic !== undefined) ch.topic = body.topic === null ? null : String(body.topic);
  if (body.position !== undefined) ch.position = Number(body.position);
  if (body.parent_id !== undefined)
    ch.parentId = body.parent_id === null ? null : String(body.parent_id);
}

function rename(core: Core, ch: ChannelRec, name: string | undefined): void {
  if (name === undefined || name === ch.name) return;
  const wait = core.renames.wait(ch.id);
  // No bucket headers: on Discord this is a sublimit, so discord.js parks only the renames.
  if (wait > 0) throw rateLimited(wait);
  core.renames.take(ch.id);
  ch.name = name;
  ch.renames++;
}

export function channelRoutes(r: Router): void {
  r.add("GET", "/channels/:id", ({ core, params }) =>
    apiChannel(core.world, visibleChannel(core, params.id as string)),
  );

  r.add("PATCH", "/channels/:id", ({ core, params, body }) => {
    const ch = visibleChannel(core, params.id as string);
    if (ch.type === 1) throw missingPermissions();
    if (isThread(ch.type)) editThread(core, ch, body);
    else editChannel(core, ch, body);
    channelEvent(core, "UPDATE", ch);
    return apiChannel(core.world, ch);
  });

  r.add("DELETE", "/channels/:id", ({ core, params }) => {
    const ch = visibleChannel(core, params.id as string);
    if (ch.type === 1) return apiChannel(core.world, ch); // "closing" a DM deletes nothing
    const need = isThread(ch.type) ? Perm.ManageThreads : Perm.ManageChannels;
    if (!has(botPerms(core, ch), need)) throw missingPermissions();
    deleteChannel(core, ch);
    return apiChannel(core.world, ch);
  });
}

/** Marks a channel (and, for a parent, its threads) deleted and sends the events. */
export function deleteChannel(core: Core, ch: ChannelRec): void {
  ch.deleted = true;
  if (!isThread(ch.type)) {
    for (const th of core.world.threadsIn(ch.id)) th.deleted = true;
  }
  channelEvent(core, "DELETE", ch);
}
