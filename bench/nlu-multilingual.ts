// A tiny support training set in en/ru/pl/el (6 intents × 6 phrases × 4 languages) and held-out
// phrases written to be hard: inflected forms, missing diacritics/tonos, typos. Sanity check only.

export type Locale = "en" | "ru" | "pl" | "el";

type PerLocale = Record<Locale, string[]>;

export const MULTILINGUAL_TRAIN: Record<string, PerLocale> = {
  password_reset: {
    en: [
      "I forgot my password",
      "how do I reset my password",
      "can't log in to my account",
      "my account is locked",
      "the login code doesn't arrive",
      "help me sign in",
    ],
    ru: [
      "не получается зайти в личный кабинет",
      "как восстановить пароль",
      "сбросить пароль",
      "аккаунт заблокирован",
      "не приходит код для входа",
      "потерял доступ к учётной записи",
    ],
    pl: [
      "jak zresetować hasło",
      "nie pamiętam hasła",
      "konto zostało zablokowane",
      "nie mogę wejść na konto",
      "nie przychodzi kod logowania",
      "problem z logowaniem",
    ],
    el: [
      "πώς αλλάζω τον κωδικό πρόσβασης",
      "δεν θυμάμαι τον κωδικό",
      "ο λογαριασμός μου κλειδώθηκε",
      "δεν μπορώ να μπω στον λογαριασμό",
      "δεν έρχεται ο κωδικός σύνδεσης",
      "πρόβλημα με τη σύνδεση",
    ],
  },
  refund: {
    en: [
      "I want a refund",
      "how do I get my money back",
      "please return my money for the order",
      "refund my purchase",
      "cancel the order and refund me",
      "how long does a refund take",
    ],
    ru: [
      "хочу вернуть деньги",
      "как оформить возврат",
      "верните деньги за заказ",
      "прошу вернуть оплату",
      "отмените заказ и верните деньги",
      "сколько ждать возврата",
    ],
    pl: [
      "chcę zwrot pieniędzy",
      "jak uzyskać zwrot",
      "proszę o zwrot pieniędzy za zamówienie",
      "zwróćcie mi pieniądze",
      "anulujcie zamówienie i zwróćcie pieniądze",
      "ile trwa zwrot",
    ],
    el: [
      "θέλω επιστροφή χρημάτων",
      "πώς παίρνω πίσω τα χρήματά μου",
      "επιστρέψτε μου τα λεφτά για την παραγγελία",
      "ακυρώστε την παραγγελία και επιστρέψτε τα χρήματα",
      "αίτημα επιστροφής χρημάτων",
      "πόσο διαρκεί η επιστροφή",
    ],
  },
  opening_hours: {
    en: [
      "what are your opening hours",
      "when are you open",
      "are you open on weekends",
      "what time do you close",
      "business hours",
      "when does support work",
    ],
    ru: [
      "часы работы",
      "когда вы открыты",
      "вы работаете в выходные",
      "во сколько вы закрываетесь",
      "какой у вас график работы",
      "до скольки работает поддержка",
    ],
    pl: [
      "godziny otwarcia",
      "kiedy jesteście otwarci",
      "czy pracujecie w weekendy",
      "o której zamykacie",
      "w jakich godzinach działa wsparcie",
      "jakie są godziny pracy",
    ],
    el: [
      "ποιο είναι το ωράριο λειτουργίας",
      "πότε είστε ανοιχτά",
      "δουλεύετε το σαββατοκύριακο",
      "τι ώρα κλείνετε",
      "ώρες λειτουργίας",
      "πότε λειτουργεί η υποστήριξη",
    ],
  },
  payment_missing: {
    en: [
      "my payment hasn't arrived",
      "I paid but the order still shows unpaid",
      "the money was taken but nothing happened",
      "where is my payment",
      "payment not received",
      "my transfer is missing",
    ],
    ru: [
      "платёж не дошёл",
      "я оплатил, но заказ не оплачен",
      "деньги списали, а оплата не прошла",
      "где мой платёж",
      "оплата не поступила",
      "перевод потерялся",
    ],
    pl: [
      "płatność nie dotarła",
      "zapłaciłem, ale zamówienie jest nieopłacone",
      "pieniądze zeszły z konta, a płatności nie ma",
      "gdzie jest moja płatność",
      "nie otrzymaliście płatności",
      "przelew zaginął",
    ],
    el: [
      "η πληρωμή μου δεν έφτασε",
      "πλήρωσα αλλά η παραγγελία φαίνεται απλήρωτη",
      "μου χρέωσαν τα χρήματα αλλά δεν έγινε τίποτα",
      "πού είναι η πληρωμή μου",
      "η πληρωμή δεν ελήφθη",
      "η μεταφορά χρημάτων χάθηκε",
    ],
  },
  human: {
    en: [
      "I want to talk to a person",
      "connect me with an agent",
      "can I speak to a human",
      "real person please",
      "call an operator",
      "I need a support specialist",
    ],
    ru: [
      "хочу поговорить с человеком",
      "соедините с оператором",
      "позовите живого человека",
      "нужен сотрудник поддержки",
      "переключите на специалиста",
      "можно с человеком поговорить",
    ],
    pl: [
      "chcę rozmawiać z człowiekiem",
      "połączcie mnie z konsultantem",
      "poproszę konsultanta",
      "czy mogę porozmawiać z pracownikiem",
      "potrzebuję człowieka",
      "przełącz mnie na operatora",
    ],
    el: [
      "θέλω να μιλήσω με έναν άνθρωπο",
      "συνδέστε με με εκπρόσωπο",
      "μπορώ να μιλήσω με άνθρωπο",
      "θέλω έναν υπάλληλο",
      "καλέστε έναν εκπρόσωπο",
      "χρειάζομαι βοήθεια από άνθρωπο",
    ],
  },
  report_problem: {
    en: [
      "the app crashes",
      "something is broken",
      "I found a bug",
      "the site doesn't load",
      "error when I open the page",
      "report a problem",
    ],
    ru: [
      "приложение вылетает",
      "что-то сломалось",
      "нашёл ошибку",
      "сайт не открывается",
      "ошибка при открытии страницы",
      "сообщить о проблеме",
    ],
    pl: [
      "aplikacja się zawiesza",
      "coś nie działa",
      "znalazłem błąd",
      "strona się nie ładuje",
      "błąd przy otwieraniu strony",
      "zgłoś problem",
    ],
    el: [
      "η εφαρμογή κρασάρει",
      "κάτι χάλασε",
      "βρήκα ένα σφάλμα",
      "η σελίδα δεν φορτώνει",
      "σφάλμα όταν ανοίγω τη σελίδα",
      "αναφορά προβλήματος",
    ],
  },
};

/** Held out: none of these is in the training set; typos and inflections are deliberate. */
export const MULTILINGUAL_HELD_OUT: Record<string, PerLocale> = {
  password_reset: {
    en: ["forgot pasword", "i cant login", "reset my passwrd pls"],
    ru: ["не могу войти в аккаунт", "забыл пароль", "забыла пороль от акаунта"],
    pl: ["nie mogę się zalogować", "zapomniałem hasła", "nie moge sie zalogowac do konta"],
    el: ["ξέχασα τον κωδικό μου", "δεν μπορω να συνδεθω", "ξεχασα τον κωδικο"],
  },
  refund: {
    en: ["i want my mony back", "refnd for my order please"],
    ru: ["верните мне деньги", "хочу возврат средств за покупку"],
    pl: ["chce zwrotu pieniedzy", "zwrot za zamowienie"],
    el: ["θελω τα λεφτα μου πισω", "επιστροφη χρηματων παρακαλω"],
  },
  opening_hours: {
    en: ["what time do you open tomorow", "are you open on sunday"],
    ru: ["во сколько открываетесь?", "работаете ли вы в субботу"],
    pl: ["o ktorej otwieracie", "czy jestescie otwarci w niedziele"],
    el: ["τι ωρα ανοιγετε", "ειστε ανοιχτα την κυριακη"],
  },
  payment_missing: {
    en: ["i payed but nothing arrived", "payment didnt go through but money is gone"],
    ru: ["оплатил а платеж не пришел", "деньги списались но заказ не оплачен"],
    pl: ["zaplacilem a platnosc nie doszla", "gdzie moj przelew"],
    el: ["πληρωσα αλλα δεν εφτασε η πληρωμη", "που ειναι τα χρηματα που πληρωσα"],
  },
  human: {
    en: ["let me talk to a real human", "agent pls"],
    ru: ["дайте оператора", "хочу поговорить с живым человеком"],
    pl: ["chce porozmawiac z konsultantem", "dajcie mi człowieka"],
    el: ["θελω να μιλησω με εκπροσωπο", "συνδεστε με με ανθρωπο"],
  },
  report_problem: {
    en: ["app keeps crashing on startup", "got an eror on the website"],
    ru: ["приложение постоянно вылетает", "сайт не грузится"],
    pl: ["aplikacja ciagle sie zawiesza", "strona nie dziala"],
    el: ["η εφαρμογη κρασαρει συνεχεια", "η σελιδα δεν φορτωνει"],
  },
};

/** Off-topic questions in each language: a support bot should not be confident about these. */
export const MULTILINGUAL_OUT_OF_SCOPE: Record<Locale, string[]> = {
  en: ["what's the weather on Mars", "tell me a joke", "who won the football match yesterday"],
  ru: ["какая погода на марсе", "расскажи анекдот", "кто выиграл матч вчера"],
  pl: ["jaka jest pogoda na marsie", "opowiedz kawał", "kto wygrał wczoraj mecz"],
  el: ["τι καιρό κάνει στον άρη", "πες μου ένα ανέκδοτο", "ποιος κέρδισε τον αγώνα χθες"],
};

export const LOCALES: Locale[] = ["en", "ru", "pl", "el"];

export function flatten(
  data: Record<string, PerLocale>,
): { intent: string; text: string; locale: Locale }[] {
  const out: { intent: string; text: string; locale: Locale }[] = [];
  for (const [intent, perLocale] of Object.entries(data)) {
    for (const locale of LOCALES) {
      for (const text of perLocale[locale]) out.push({ intent, text, locale });
    }
  }
  return out;
}
