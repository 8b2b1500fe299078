// `{{var}}` placeholders in flow texts; unknown names render empty rather than leak syntax.

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\s*\}\}/g;

export function renderTemplate(
  text: string,
  vars: Record<string, string>,
  user: { name?: string },
  /** `{{desk.*}}`: the desk's settings as words, e.g. `hours`. */
  desk: Record<string, string> = {},
): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    if (name === "user.name") return user.name ?? "";
    if (name.startsWith("desk.")) {
      const key = name.slice(5);
      return Object.hasOwn(desk, key) ? desk[key]! : "";
    }
    return vars[name] ?? "";
  });
}
