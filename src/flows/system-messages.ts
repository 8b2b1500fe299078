// Texts the runtime itself sends, for flow sets written before they existed: frontline.yaml's
// `messages:` overrides each one.
import type { BotConfigDef } from "./schema.ts";

type Optional = "somethingWentWrong" | "slowDown" | "blocked" | "deskTrouble";

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
    pl: "Twoje zgłoszenie #{{number}} jest zapisane, ale teraz nie mogę połączyć się z czatem zespołu. Ktoś je zobaczy, gdy tylko połączenie wróci.",
    el: "Το αίτημά σας #{{number}} αποθηκεύτηκε, αλλά αυτή τη στιγμή δεν μπορώ να φτάσω στη συνομιλία της ομάδας μας. Ένας άνθρωπος θα το δει μόλις λειτουργήσει ξανά.",
  },
  blocked: {
    en: "Our support team has paused this conversation. Your messages are not passed on for now.",
    ru: "Служба поддержки приостановила этот диалог. Пока Ваши сообщения не передаются.",
    pl: "Zespół wsparcia wstrzymał tę rozmowę. Twoje wiadomości nie są na razie przekazywane.",
    el: "Η ομάδα υποστήριξης έθεσε σε παύση αυτή τη συνομιλία. Τα μηνύματά σας δεν προωθούνται προς το παρόν.",
  },
};

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
