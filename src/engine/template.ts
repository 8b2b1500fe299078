// `{{var}}` placeholders in flow texts; unknown names render empty rather than leak syntax.

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\s*\}\}/g;

export function renderTemplate(
  text: string,
  vars: Record<string, string>,
  user: { name?: string },
): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    if (name === "user.name") return user.name ?? "";
    return vars[name] ?? "";
  });
}
