// The page's small toolbox: building elements safely (text is always text), calling the
// playground's API with the token when there is one, and showing a piece of media.
export const STORAGE = "frontline.playground";
export const token =
  new URLSearchParams(location.search).get("token") ?? sessionStorage.getItem(`${STORAGE}.token`);
if (token) sessionStorage.setItem(`${STORAGE}.token`, token);

export const $ = (id) => document.getElementById(id);

/** Builds an element; strings among the children become text nodes (escaped by the DOM). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function clientId() {
  return crypto.randomUUID().replaceAll("-", "");
}

export function withToken(url) {
  if (!token) return url;
  return `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

export async function api(path, body, init = {}) {
  const res = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(body !== undefined && !(body instanceof Blob)
        ? { "content-type": "application/json" }
        : {}),
      ...(body instanceof Blob ? { "content-type": body.type } : {}),
      ...(token ? { "x-playground-token": token } : {}),
      "x-playground": "1",
    },
    body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    ...init,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error ?? `${res.status} ${res.statusText}`);
  return data;
}

export function mediaView(media) {
  if (media?.id)
    return h("img", {
      src: withToken(`/media/${media.id}`),
      alt: media.name ? `Image: ${media.name}` : "Image",
    });
  if (media)
    return h(
      "span",
      { class: "muted" },
      `[${media.kind}${media.name ? `: ${media.name}` : ""} from ${media.from}]`,
    );
  return null;
}

export async function act(fn) {
  try {
    await fn();
  } catch (err) {
    $("connection").textContent = `Not sent: ${err.message}`;
  }
}
