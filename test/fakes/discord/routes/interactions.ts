// Interaction callbacks and the interaction webhook. Neither carries an Authorization header:
// the interaction token in the path is the credential.
import { apiMessage } from "../payloads.ts";
import { noContent, type Router } from "../router.ts";

export function interactionRoutes(r: Router): void {
  r.add(
    "POST",
    "/interactions/:id/:token/callback",
    ({ core, params, body, uploads, query }) =>
      core.interactions.callback(
        params.id as string,
        params.token as string,
        body,
        uploads,
        query.get("with_response") === "true",
      ),
    { auth: false },
  );

  r.add(
    "POST",
    "/webhooks/:id/:token",
    ({ core, params, body, uploads }) => {
      const ix = core.interactions.webhook(params.id as string, params.token as string);
      return apiMessage(core.world, core.interactions.followUp(ix, body, uploads));
    },
    { auth: false },
  );

  r.add(
    "GET",
    "/webhooks/:id/:token/messages/:messageId",
    ({ core, params }) => {
      const ix = core.interactions.webhook(params.id as string, params.token as string);
      return apiMessage(core.world, core.interactions.target(ix, params.messageId as string));
    },
    { auth: false },
  );

  r.add(
    "PATCH",
    "/webhooks/:id/:token/messages/:messageId",
    ({ core, params, body, uploads }) => {
      const ix = core.interactions.webhook(params.id as string, params.token as string);
      const m = core.interactions.target(ix, params.messageId as string);
      return apiMessage(core.world, core.interactions.edit(m, body, uploads));
    },
    { auth: false },
  );

  r.add(
    "DELETE",
    "/webhooks/:id/:token/messages/:messageId",
    ({ core, params }) => {
      const ix = core.interactions.webhook(params.id as string, params.token as string);
      core.interactions.remove(core.interactions.target(ix, params.messageId as string));
      return noContent();
    },
    { auth: false },
  );
}
