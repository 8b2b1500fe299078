// Words customers type to get back to the menu ("back", "menu", "start over"), in every shipped
// language: the same as /menu, wherever they are. An exact list, not the intent matcher: "back"
// alone must never read as "money back" (a refund), and "menu" at a question is not a greeting.
import { words } from "../nlu/index.ts";

const MENU_REQUESTS = [
  // en
  "menu",
  "main menu",
  "back",
  "go back",
  "back to menu",
  "back to the menu",
  "start over",
  "start again",
  "cancel",
  // ru
  "меню",
  "главное меню",
  "назад",
  "в начало",
  "в меню",
  "вернуться в меню",
  "начать сначала",
  "отмена",
  // pl
  "menu główne",
  "wróć",
  "powrót",
  "powrót do menu",
  "od nowa",
  "zacznij od nowa",
  "anuluj",
  // el
  "μενού",
  "κεντρικό μενού",
  "πίσω",
  "επιστροφή",
  "επιστροφή στο μενού",
  "από την αρχή",
  "ακύρωση",
];

const normalized = (text: string) => words(text).join(" ");
const REQUESTS = new Set(MENU_REQUESTS.map(normalized));

/** The whole message asks for the menu ("back", "Menu!", "вернуться в меню"). */
export function asksForMenu(text: string): boolean {
  return REQUESTS.has(normalized(text));
}
