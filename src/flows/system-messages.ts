// Texts the runtime itself sends, for flow sets written before they existed: frontline.yaml's
// `messages:` overrides each one.
import type { BotConfigDef } from "./schema.ts";

type Optional =
  | "somethingWentWrong"
  | "slowDown"
  | "blocked"
  | "deskTrouble"
  | "noPersonHere"
  | "leftQueue"
  | "leaveQueueQuestion"
  | "stayInQueue"
  | "leaveAgentQuestion"
  | "stayWithAgent"
  | "leftAgent"
  | "nothingToCancel"
  | "greetingAtQuestion"
  | "statusNoRequest"
  | "privateThreadOpened"
  | "privateThreadFailed"
  | "supportPanel"
  | "supportPanelButton";

const DEFAULTS: Record<Optional, Record<string, string>> = {
  somethingWentWrong: {
    en: "Sorry, something went wrong with your last message. It has been set aside for a person on our team to look at.",
    ru: "Извините, с Вашим последним сообщением что-то пошло не так. Мы передали его сотруднику, он разберётся.",
    pl: "Przepraszamy, coś poszło nie tak z Twoją ostatnią wiadomością. Przekazaliśmy ją do sprawdzenia osobie z zespołu.",
    el: "Συγγνώμη, κάτι πήγε στραβά με το τελευταίο σας μήνυμα. Το κρατήσαμε για να το δει ένας άνθρωπος της ομάδας μας.",
  },
  slowDown: {
    en: "You're sending messages very fast. I'll read them together; please wait a moment before writing more.",
    ru: "Вы отправляете сообщения очень быстро. Я прочитаю их вместе; пожалуйста, подождите немного.",
    pl: "Wysyłasz wiadomości bardzo szybko. Przeczytam je razem; poczekaj chwilę, zanim napiszesz więcej.",
    el: "Στέλνετε μηνύματα πολύ γρήγορα. Θα τα διαβάσω μαζί· περιμένετε λίγο πριν γράψετε κι άλλα.",
  },
  deskTrouble: {
    en: "Your request #{{number}} is saved, but right now I can't reach our team's chat. A person will see it as soon as it works again.",
    ru: "Ваше обращение №{{number}} сохранено, но сейчас я не могу связаться с чатом нашей команды. Сотрудник увидит его, как только связь восстановится.",
    pl: "Twoje zgłoszenie nr {{number}} jest zapisane, ale teraz nie mogę połączyć się z czatem zespołu. Ktoś je zobaczy, gdy tylko połączenie wróci.",
    el: "Το αίτημά σας #{{number}} αποθηκεύτηκε, αλλά αυτή τη στιγμή δεν μπορώ να φτάσω στη συνομιλία της ομάδας μας. Ένας άνθρωπος θα το δει μόλις λειτουργήσει ξανά.",
  },
  noPersonHere: {
    // No apology first (flows that lead here have often said sorry already) and no "right now"
    // (nobody will be reachable here later either).
    en: "Nobody from our team can be reached in this chat, so I can't pass you to a person here. {{contact}}",
    ru: "В этом чате нельзя связаться с сотрудником, поэтому передать Вас человеку здесь я не могу. {{contact}}",
    pl: "Na tym czacie nie można połączyć się z konsultantem, więc nie mogę przekazać rozmowy człowiekowi. {{contact}}",
    el: "Κανείς από την ομάδα μας δεν είναι διαθέσιμος σε αυτή τη συνομιλία, οπότε δεν μπορώ να σας συνδέσω με άνθρωπο εδώ. {{contact}}",
  },
  leftQueue: {
    en: "You've left the queue and ticket #{{number}} is withdrawn. I'm here again: ask me anything, or /human to reach a person later.",
    ru: "Вы вышли из очереди, обращение №{{number}} отозвано. Я снова на связи: спрашивайте, а /human — чтобы позже связаться с сотрудником.",
    pl: "Kolejka opuszczona, zgłoszenie nr {{number}} wycofane. Znów jestem do dyspozycji: pytaj śmiało albo wpisz /human, by później porozmawiać z konsultantem.",
    el: "Βγήκατε από τη σειρά και το αίτημα #{{number}} αποσύρθηκε. Είμαι ξανά εδώ: ρωτήστε με ό,τι θέλετε ή /human για να μιλήσετε αργότερα με άνθρωπο.",
  },
  leaveQueueQuestion: {
    en: "You're waiting for a person (ticket #{{number}}); what you write goes to them. Do you want to leave the queue and go back to the bot?",
    ru: "Вы ждёте ответа сотрудника (обращение №{{number}}); всё, что Вы пишете, попадает к нему. Выйти из очереди и вернуться к боту?",
    pl: "Czekasz na konsultanta (zgłoszenie nr {{number}}); to, co piszesz, trafia do niego. Opuścić kolejkę i wrócić do bota?",
    el: "Περιμένετε έναν άνθρωπο (αίτημα #{{number}})· ό,τι γράφετε πηγαίνει σε αυτόν. Θέλετε να βγείτε από τη σειρά και να επιστρέψετε στο bot;",
  },
  leaveAgentQuestion: {
    en: "You're talking with {{agent}} (ticket #{{number}}); what you write goes to them. Do you want to end that conversation and go back to the bot?",
    ru: "С Вами общается {{agent}} (обращение №{{number}}); всё, что Вы пишете, попадает к сотруднику. Завершить разговор и вернуться к боту?",
    pl: "Rozmawiasz z: {{agent}} (zgłoszenie nr {{number}}); to, co piszesz, trafia do tej osoby. Zakończyć rozmowę i wrócić do bota?",
    el: "Μιλάτε με τον/την {{agent}} (αίτημα #{{number}})· ό,τι γράφετε πηγαίνει σε αυτόν/αυτήν. Θέλετε να τερματίσετε τη συζήτηση και να επιστρέψετε στο bot;",
  },
  stayWithAgent: {
    en: "OK, {{agent}} stays with you on ticket #{{number}}.",
    ru: "Хорошо, {{agent}} продолжит работу с обращением №{{number}}.",
    pl: "Dobrze, {{agent}} dalej zajmuje się zgłoszeniem nr {{number}}.",
    el: "Εντάξει, ο/η {{agent}} συνεχίζει με το αίτημα #{{number}}.",
  },
  leftAgent: {
    en: "You've ended the conversation with {{agent}}; ticket #{{number}} is closed. I'm here again: ask me anything, or /human to reach a person later.",
    ru: "Разговор с сотрудником {{agent}} завершён, обращение №{{number}} закрыто. Я снова на связи: спрашивайте, а /human — чтобы позже связаться с сотрудником.",
    pl: "Rozmowa z: {{agent}} zakończona, zgłoszenie nr {{number}} zamknięte. Znów jestem do dyspozycji: pytaj śmiało albo wpisz /human, by później porozmawiać z konsultantem.",
    el: "Η συζήτηση με τον/την {{agent}} τερματίστηκε· το αίτημα #{{number}} έκλεισε. Είμαι ξανά εδώ: ρωτήστε με ό,τι θέλετε ή /human για να μιλήσετε αργότερα με άνθρωπο.",
  },
  stayInQueue: {
    en: "OK, you stay in the queue for ticket #{{number}}.",
    ru: "Хорошо, Вы остаётесь в очереди по обращению №{{number}}.",
    pl: "Dobrze, zostajesz w kolejce ze zgłoszeniem nr {{number}}.",
    el: "Εντάξει, παραμένετε στη σειρά για το αίτημα #{{number}}.",
  },
  statusNoRequest: {
    en: "You have no open request: I'm answering you myself. Ask me anything, or /menu for the topics I know.",
    ru: "У Вас нет открытых обращений: сейчас Вам отвечаю я, бот. Спрашивайте или наберите /menu — темы, в которых я разбираюсь.",
    pl: "Nie masz otwartych zgłoszeń: teraz odpowiadam Ci ja, bot. Pytaj śmiało albo wpisz /menu — tematy, które znam.",
    el: "Δεν έχετε ανοιχτό αίτημα: τώρα σας απαντώ εγώ, το bot. Ρωτήστε ό,τι θέλετε ή /menu για τα θέματα που ξέρω.",
  },
  greetingAtQuestion: {
    en: "Hello! Let's carry on from where we were:",
    ru: "Здравствуйте! Продолжим с того места, где остановились:",
    pl: "Dzień dobry! Wróćmy do tego, na czym skończyliśmy:",
    el: "Γεια σας! Ας συνεχίσουμε από εκεί που μείναμε:",
  },
  nothingToCancel: {
    en: "There's nothing to cancel: you aren't waiting for a person.",
    ru: "Отменять нечего: Вы не ждёте ответа сотрудника.",
    pl: "Nie ma czego anulować: nie czekasz na konsultanta.",
    el: "Δεν υπάρχει κάτι να ακυρωθεί: δεν περιμένετε κάποιον άνθρωπο.",
  },
  privateThreadOpened: {
    en: "{{user}}, let's talk in private: {{thread}} (only you and our team can see it).",
    ru: "{{user}}, продолжим в личной ветке: {{thread}} (её видите только Вы и наша команда).",
    pl: "{{user}}, porozmawiajmy w prywatnym wątku: {{thread}} (widzisz go tylko Ty i nasz zespół).",
    el: "{{user}}, ας συνεχίσουμε σε ιδιωτικό νήμα: {{thread}} (το βλέπετε μόνο εσείς και η ομάδα μας).",
  },
  privateThreadFailed: {
    en: "I can't open a private thread for you here. Please write to me in a direct message instead.",
    ru: "Не получается открыть здесь для Вас личную ветку. Пожалуйста, напишите мне в личные сообщения.",
    pl: "Nie mogę tu otworzyć dla Ciebie prywatnego wątku. Napisz do mnie, proszę, w wiadomości prywatnej.",
    el: "Δεν μπορώ να ανοίξω εδώ ιδιωτικό νήμα για εσάς. Γράψτε μου καλύτερα σε προσωπικό μήνυμα.",
  },
  supportPanel: {
    en: "Need help? Press the button: a private thread opens where only you and our team can see what you write.",
    ru: "Нужна помощь? Нажмите кнопку: откроется личная ветка, где Ваши сообщения видите только Вы и наша команда.",
    pl: "Potrzebujesz pomocy? Naciśnij przycisk: otworzy się prywatny wątek, który widzisz tylko Ty i nasz zespół.",
    el: "Χρειάζεστε βοήθεια; Πατήστε το κουμπί: ανοίγει ένα ιδιωτικό νήμα που βλέπετε μόνο εσείς και η ομάδα μας.",
  },
  supportPanelButton: {
    en: "Get help",
    ru: "Получить помощь",
    pl: "Uzyskaj pomoc",
    el: "Βοήθεια",
  },
  blocked: {
    en: "Our support team has paused this conversation. Your messages are not passed on for now.",
    ru: "Служба поддержки приостановила этот диалог. Пока Ваши сообщения не передаются.",
    pl: "Zespół wsparcia wstrzymał tę rozmowę. Twoje wiadomości nie są na razie przekazywane.",
    el: "Η ομάδα υποστήριξης έθεσε σε παύση αυτή τη συνομιλία. Τα μηνύματά σας δεν προωθούνται προς το παρόν.",
  },
};

/** Button labels the runtime puts under its own messages. */
export const SYSTEM_LABELS: Record<
  "leaveQueue" | "stay" | "stayWithAgent",
  Record<string, string>
> = {
  leaveQueue: {
    en: "↩ Back to the bot",
    ru: "↩ Вернуться к боту",
    pl: "↩ Wróć do bota",
    el: "↩ Πίσω στο bot",
  },
  stay: {
    en: "Stay in the queue",
    ru: "Остаться в очереди",
    pl: "Zostań w kolejce",
    el: "Παραμονή στη σειρά",
  },
  stayWithAgent: {
    en: "Stay",
    ru: "Остаться",
    pl: "Zostań",
    el: "Παραμονή",
  },
};

export function systemLabel(key: keyof typeof SYSTEM_LABELS, locale: string): string {
  return SYSTEM_LABELS[key][locale] ?? SYSTEM_LABELS[key].en!;
}

export type SystemMessageKey = Optional;

export function systemMessage(bot: BotConfigDef, key: Optional, locale: string): string {
  const own = bot.messages[key];
  return (
    own?.[locale] ??
    own?.[bot.defaultLocale] ??
    DEFAULTS[key][locale] ??
    DEFAULTS[key][bot.defaultLocale] ??
    DEFAULTS[key].en!
  );
}
