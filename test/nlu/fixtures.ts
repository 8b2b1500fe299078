// A small support training set in en/ru/pl/el shared by the NLU tests (no dataset loading).

import type { TrainingExample } from "../../src/nlu/index.ts";

const SET: Record<string, Record<"en" | "ru" | "pl" | "el", string[]>> = {
  password_reset: {
    en: [
      "I forgot my password",
      "how do I reset my password",
      "can't log in to my account",
      "my account is locked",
      "help me sign in",
    ],
    ru: [
      "не получается зайти в личный кабинет",
      "как восстановить пароль",
      "сбросить пароль",
      "аккаунт заблокирован",
      "не приходит код для входа",
    ],
    pl: [
      "jak zresetować hasło",
      "nie pamiętam hasła",
      "konto zostało zablokowane",
      "nie mogę wejść na konto",
      "problem z logowaniem",
    ],
    el: [
      "πώς αλλάζω τον κωδικό πρόσβασης",
      "δεν θυμάμαι τον κωδικό",
      "ο λογαριασμός μου κλειδώθηκε",
      "δεν μπορώ να μπω στον λογαριασμό",
      "πρόβλημα με τη σύνδεση",
    ],
  },
  refund: {
    en: [
      "I want a refund",
      "how do I get my money back",
      "refund my purchase",
      "cancel the order and refund me",
      "how long does a refund take",
    ],
    ru: [
      "хочу вернуть деньги",
      "как оформить возврат",
      "верните деньги за заказ",
      "прошу вернуть оплату",
      "сколько ждать возврата",
    ],
    pl: [
      "chcę zwrot pieniędzy",
      "jak uzyskać zwrot",
      "proszę o zwrot pieniędzy za zamówienie",
      "zwróćcie mi pieniądze",
      "ile trwa zwrot",
    ],
    el: [
      "θέλω επιστροφή χρημάτων",
      "πώς παίρνω πίσω τα χρήματά μου",
      "επιστρέψτε μου τα λεφτά",
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
    ],
    ru: [
      "часы работы",
      "когда вы открыты",
      "вы работаете в выходные",
      "во сколько вы закрываетесь",
      "какой у вас график работы",
    ],
    pl: [
      "godziny otwarcia",
      "kiedy jesteście otwarci",
      "czy pracujecie w weekendy",
      "o której zamykacie",
      "jakie są godziny pracy",
    ],
    el: [
      "ποιο είναι το ωράριο λειτουργίας",
      "πότε είστε ανοιχτά",
      "δουλεύετε το σαββατοκύριακο",
      "τι ώρα κλείνετε",
      "ώρες λειτουργίας",
    ],
  },
  payment_missing: {
    en: [
      "my payment hasn't arrived",
      "I paid but the order still shows unpaid",
      "where is my payment",
      "payment not received",
      "my transfer is missing",
    ],
    ru: [
      "платёж не дошёл",
      "я оплатил, но заказ не оплачен",
      "где мой платёж",
      "оплата не поступила",
      "перевод потерялся",
    ],
    pl: [
      "płatność nie dotarła",
      "zapłaciłem, ale zamówienie jest nieopłacone",
      "gdzie jest moja płatność",
      "nie otrzymaliście płatności",
      "przelew zaginął",
    ],
    el: [
      "η πληρωμή μου δεν έφτασε",
      "πλήρωσα αλλά η παραγγελία φαίνεται απλήρωτη",
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
    ],
    ru: [
      "хочу поговорить с человеком",
      "соедините с оператором",
      "позовите живого человека",
      "нужен сотрудник поддержки",
      "переключите на специалиста",
    ],
    pl: [
      "chcę rozmawiać z człowiekiem",
      "połączcie mnie z konsultantem",
      "poproszę konsultanta",
      "czy mogę porozmawiać z pracownikiem",
      "potrzebuję człowieka",
    ],
    el: [
      "θέλω να μιλήσω με έναν άνθρωπο",
      "συνδέστε με με εκπρόσωπο",
      "μπορώ να μιλήσω με άνθρωπο",
      "θέλω έναν υπάλληλο",
      "καλέστε έναν εκπρόσωπο",
    ],
  },
  report_problem: {
    en: [
      "the app crashes",
      "something is broken",
      "I found a bug",
      "the site doesn't load",
      "error when I open the page",
    ],
    ru: [
      "приложение вылетает",
      "что-то сломалось",
      "нашёл ошибку",
      "сайт не открывается",
      "ошибка при открытии страницы",
    ],
    pl: [
      "aplikacja się zawiesza",
      "coś nie działa",
      "znalazłem błąd",
      "strona się nie ładuje",
      "błąd przy otwieraniu strony",
    ],
    el: [
      "η εφαρμογή κρασάρει",
      "κάτι χάλασε",
      "βρήκα ένα σφάλμα",
      "η σελίδα δεν φορτώνει",
      "σφάλμα όταν ανοίγω τη σελίδα",
    ],
  },
};

export const SUPPORT_EXAMPLES: TrainingExample[] = Object.entries(SET).flatMap(
  ([intent, perLocale]) =>
    Object.entries(perLocale).flatMap(([locale, texts]) =>
      texts.map((text) => ({ intent, text, locale })),
    ),
);
