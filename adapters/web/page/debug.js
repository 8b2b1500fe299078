// The debug pane: each bot turn of the selected customer (flow, step, confidence, top intents,
// locale, variables, middleware), and "reload flows" with the validator's report.
import { $, api, h } from "./dom.js";
import { state } from "./state.js";

function percent(x) {
  return x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`;
}

export function renderTurns() {
  const turns = [...(state.turns.get(state.selected) ?? [])].reverse();
  const chat = state.chats.get(state.selected) ?? [];
  const said = new Map(
    chat.filter((e) => e.key).map((e) => [e.key, e.text || (e.media ? "[image]" : "")]),
  );
  let n = turns.length;
  $("turns").replaceChildren(
    ...turns.map((t) => {
      const intents = t.debug?.intents ?? [];
      const vars = Object.entries(t.debug?.vars ?? {});
      return h(
        "li",
        { class: "turn", "data-flow": t.flow ?? "" },
        h("h3", {}, `Turn ${n--}: ${t.flow ?? "no flow"}${t.step ? ` › ${t.step}` : ""}`),
        said.has(t.idempotencyKey)
          ? h("p", { class: "said" }, `“${said.get(t.idempotencyKey)}”`)
          : null,
        h(
          "dl",
          {},
          h("dt", {}, "confidence"),
          h("dd", {}, percent(t.confidence)),
          h("dt", {}, "locale"),
          h("dd", {}, t.locale),
          h("dt", {}, "intents"),
          h(
            "dd",
            {},
            intents.length
              ? h(
                  "table",
                  {},
                  h("caption", { class: "visually-hidden" }, "Top intents with scores"),
                  intents.map((i) =>
                    h(
                      "tr",
                      {},
                      h("th", { scope: "row" }, i.intent),
                      h("td", {}, percent(i.confidence)),
                    ),
                  ),
                )
              : "no text to match",
          ),
          h("dt", {}, "variables"),
          h("dd", {}, vars.length ? vars.map(([k, v]) => `${k} = ${v}`).join("\n") : "none"),
          h("dt", {}, "middleware"),
          h("dd", {}, t.handledBy?.length ? t.handledBy.join(", ") : "none (the flows answered)"),
          t.escalated ? [h("dt", {}, "hand-over"), h("dd", {}, "escalated to a person")] : null,
        ),
      );
    }),
  );
  if (!turns.length && chat.length === 0)
    $("turns").replaceChildren(
      h(
        "li",
        { class: "muted" },
        "Each bot turn of the selected customer shows here: flow, step, confidence, top intents, locale, variables, middleware.",
      ),
    );
}

$("reload-flows").addEventListener("click", async () => {
  const out = $("reload-result");
  const button = $("reload-flows");
  button.disabled = true;
  out.replaceChildren(h("p", { class: "muted" }, "Validating and reloading…"));
  try {
    const r = await api("/api/flows/reload", {});
    out.replaceChildren(
      r.ok
        ? h(
            "p",
            { class: "ok" },
            `Reloaded ${r.flows} flows from ${state.info?.flowsDir ?? "the flows directory"}.`,
          )
        : h(
            "div",
            { role: "alert" },
            h("p", {}, "The edited flows are invalid; the previous flows keep answering."),
            h("pre", { class: "report" }, r.report),
          ),
    );
  } catch (err) {
    out.replaceChildren(
      h("p", { class: "report", role: "alert" }, `Could not reload: ${err.message}`),
    );
  } finally {
    button.disabled = false;
  }
});
