// Message payload limits as Discord enforces them (400 50035 with the offending field's path).
import { type FieldError, invalidField, invalidForm } from "./errors.ts";

export const COMPONENTS_V2 = 1 << 15;
const MAX_CONTENT = 2000;

type Obj = Record<string, unknown>;

const tooLong = (path: string, max: number): FieldError => ({
  path,
  code: "BASE_TYPE_MAX_LENGTH",
  message: `Must be ${max} or fewer in length.`,
});

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function checkLength(out: FieldError[], path: string, v: unknown, max: number): void {
  const s = str(v);
  if (s !== undefined && [...s].length > max) out.push(tooLong(path, max));
}

/** Content, embeds, components, nonce. `uploads` counts files sent with the payload. */
export function validateMessage(p: Obj, opts: { uploads: number; edit?: boolean }): void {
  const problems: FieldError[] = [];
  if (p.content !== undefined && p.content !== null && typeof p.content !== "string") {
    problems.push({ path: "content", code: "BASE_TYPE_STRING", message: "Must be a string." });
  }
  checkLength(problems, "content", p.content, MAX_CONTENT);
  const flags = Number(p.flags ?? 0);
  const v2 = (flags & COMPONENTS_V2) !== 0;
  if (v2 && (str(p.content) || (Array.isArray(p.embeds) && p.embeds.length > 0))) {
    problems.push({
      path: "content",
      code: "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
      message:
        "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
    });
  }
  if (p.embeds !== undefined && p.embeds !== null) checkEmbeds(problems, p.embeds);
  if (p.components !== undefined && p.components !== null) {
    checkComponents(problems, p.components, v2);
  }
  if (p.nonce !== undefined && p.nonce !== null) {
    const ok =
      (typeof p.nonce === "string" && p.nonce.length <= 25) || Number.isSafeInteger(p.nonce);
    if (!ok) problems.push(tooLong("nonce", 25));
  }
  if (opts.uploads > 10) problems.push(tooLong("files", 10));
  if (problems.length > 0) throw invalidForm(problems);
}

/** True when nothing would be shown (Discord answers 50006). */
export function isEmptyMessage(p: Obj, uploads: number): boolean {
  const has = (v: unknown) => Array.isArray(v) && v.length > 0;
  return (
    !str(p.content) &&
    !has(p.embeds) &&
    !has(p.components) &&
    !has(p.sticker_ids) &&
    !has(p.attachments) &&
    p.poll === undefined &&
    uploads === 0
  );
}

function checkEmbeds(out: FieldError[], embeds: unknown): void {
  if (!Array.isArray(embeds)) {
    out.push({ path: "embeds", code: "BASE_TYPE_ARRAY", message: "Must be an array." });
    return;
  }
  if (embeds.length > 10) out.push(tooLong("embeds", 10));
  let total = 0;
  const count = (v: unknown) => {
    total += str(v)?.length ?? 0;
  };
  for (const [i, e] of embeds.entries()) {
    const embed = (e ?? {}) as Obj;
    const at = `embeds.${i}`;
    checkLength(out, `${at}.title`, embed.title, 256);
    checkLength(out, `${at}.description`, embed.description, 4096);
    checkLength(out, `${at}.footer.text`, (embed.footer as Obj | undefined)?.text, 2048);
    checkLength(out, `${at}.author.name`, (embed.author as Obj | undefined)?.name, 256);
    count(embed.title);
    count(embed.description);
    count((embed.footer as Obj | undefined)?.text);
    count((embed.author as Obj | undefined)?.name);
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > 25) out.push(tooLong(`${at}.fields`, 25));
    for (const [j, f] of fields.entries()) {
      checkLength(out, `${at}.fields.${j}.name`, (f as Obj).name, 256);
      checkLength(out, `${at}.fields.${j}.value`, (f as Obj).value, 1024);
      count((f as Obj).name);
      count((f as Obj).value);
    }
  }
  if (total > 6000) {
    out.push({
      path: "embeds",
      code: "MAX_EMBED_SIZE_EXCEEDED",
      message: "Embed size exceeds maximum size of 6000",
    });
  }
}

const SELECTS = new Set([3, 5, 6, 7, 8]);

function checkComponents(out: FieldError[], components: unknown, v2: boolean): void {
  if (!Array.isArray(components)) {
    out.push({ path: "components", code: "BASE_TYPE_ARRAY", message: "Must be an array." });
    return;
  }
  const ids = new Set<string>();
  const visit = (c: unknown, at: string) => {
    const comp = (c ?? {}) as Obj;
    checkInteractive(out, comp, at, ids);
    for (const [j, child] of (Array.isArray(comp.components) ? comp.components : []).entries()) {
      visit(child, `${at}.components.${j}`);
    }
    if (comp.accessory) visit(comp.accessory, `${at}.accessory`);
  };
  if (v2) {
    let total = 0;
    const countAll = (c: unknown) => {
      total++;
      const comp = (c ?? {}) as Obj;
      for (const child of Array.isArray(comp.components) ? comp.components : []) countAll(child);
      if (comp.accessory) countAll(comp.accessory);
    };
    for (const c of components) countAll(c);
    if (total > 40) out.push(tooLong("components", 40));
  } else {
    if (components.length > 5) out.push(tooLong("components", 5));
    for (const [i, row] of components.entries()) {
      const r = (row ?? {}) as Obj;
      const at = `components.${i}`;
      if (r.type !== 1) {
        out.push({
          path: `${at}.type`,
          code: "UNION_TYPE_CHOICES",
          message: 'Value of field "type" must be one of (1,).',
        });
        continue;
      }
      const children = Array.isArray(r.components) ? r.components : [];
      const selects = children.filter((c) => SELECTS.has((c as Obj).type as number)).length;
      if (children.length === 0) {
        out.push({
          path: `${at}.components`,
          code: "BASE_TYPE_MIN_LENGTH",
          message: "Must be 1 or more in length.",
        });
      } else if (selects > 0 && children.length > 1) {
        out.push({
          path: `${at}.components`,
          code: "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
          message: "The specified component exceeds the maximum width",
        });
      } else if (children.length > 5) {
        out.push(tooLong(`${at}.components`, 5));
      }
    }
  }
  for (const [i, c] of components.entries()) visit(c, `components.${i}`);
}

function checkInteractive(out: FieldError[], comp: Obj, at: string, ids: Set<string>): void {
  const type = comp.type;
  if (type !== 2 && !(typeof type === "number" && SELECTS.has(type))) return;
  const customId = str(comp.custom_id);
  if (type === 2) {
    checkLength(out, `${at}.label`, comp.label, 80);
    const style = Number(comp.style);
    if (style === 5) {
      if (!str(comp.url))
        out.push({
          path: `${at}.url`,
          code: "BASE_TYPE_REQUIRED",
          message: "This field is required",
        });
      if (customId)
        out.push({
          path: `${at}.custom_id`,
          code: "COMPONENT_INVALID_FIELD",
          message: "A link button cannot have a custom id",
        });
    } else if (style !== 6 && !customId) {
      out.push({
        path: `${at}.custom_id`,
        code: "BASE_TYPE_REQUIRED",
        message: "This field is required",
      });
    }
    if (!str(comp.label) && !comp.emoji) {
      out.push({
        path: `${at}.label`,
        code: "BASE_TYPE_REQUIRED",
        message: "A button needs a label or an emoji",
      });
    }
  } else {
    if (!customId)
      out.push({
        path: `${at}.custom_id`,
        code: "BASE_TYPE_REQUIRED",
        message: "This field is required",
      });
    checkLength(out, `${at}.placeholder`, comp.placeholder, 150);
    if (type === 3) {
      const options = Array.isArray(comp.options) ? comp.options : [];
      if (options.length === 0 || options.length > 25) out.push(tooLong(`${at}.options`, 25));
      for (const [k, o] of options.entries()) {
        checkLength(out, `${at}.options.${k}.label`, (o as Obj).label, 100);
        checkLength(out, `${at}.options.${k}.value`, (o as Obj).value, 100);
        checkLength(out, `${at}.options.${k}.description`, (o as Obj).description, 100);
      }
    }
  }
  if (customId !== undefined) {
    checkLength(out, `${at}.custom_id`, customId, 100);
    if (ids.has(customId)) {
      out.push({
        path: `${at}.custom_id`,
        code: "COMPONENT_CUSTOM_ID_DUPLICATED",
        message: "Component custom id cannot be duplicated",
      });
    }
    ids.add(customId);
  }
}

/** A modal (callback type 9): custom_id, title ≤ 45, 1..5 top-level components. */
export function validateModal(d: Obj): void {
  const problems: FieldError[] = [];
  if (!str(d.custom_id))
    problems.push({
      path: "data.custom_id",
      code: "BASE_TYPE_REQUIRED",
      message: "This field is required",
    });
  checkLength(problems, "data.custom_id", d.custom_id, 100);
  if (!str(d.title))
    problems.push({
      path: "data.title",
      code: "BASE_TYPE_REQUIRED",
      message: "This field is required",
    });
  checkLength(problems, "data.title", d.title, 45);
  const comps = Array.isArray(d.components) ? d.components : [];
  if (comps.length === 0 || comps.length > 5) problems.push(tooLong("data.components", 5));
  if (problems.length > 0) throw invalidForm(problems);
}

export function validateThreadName(name: unknown, path = "name"): string {
  const s = str(name)?.trim();
  if (!s) throw invalidField(path, "BASE_TYPE_REQUIRED", "This field is required");
  if ([...s].length > 100) throw invalidForm([tooLong(path, 100)]);
  return s;
}

export const AUTO_ARCHIVE = new Set([60, 1440, 4320, 10080]);
