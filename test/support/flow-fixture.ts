// Writes a small, valid flows directory into a temp folder; tests edit a copy to break it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BOT_YAML = `locales: [en, ru]
defaultLocale: en
languageNames: { en: English, ru: Русский }
startFlow: hello
menuFlow: hello
humanFlow: human
fallbackFlow: fallback
messages:
  languageSwitched: { en: "I'll speak English.", ru: "Буду говорить по-русски." }
  chooseLanguage: { en: "Choose a language", ru: "Выберите язык" }
  staleButton: { en: "That button is out of date.", ru: "Эта кнопка устарела." }
  emptyMessage: { en: "Your message was empty.", ru: "Сообщение пустое." }
  unsupportedMedia: { en: "I can't read files.", ru: "Я не умею читать файлы." }
  withAgent: { en: "Passed to the person.", ru: "Передано сотруднику." }
  help: { en: "I help with orders.", ru: "Я помогаю с заказами." }
`;

export const FLOWS: Record<string, string> = {
  "hello.yaml": `id: hello
title: { en: Hello, ru: Привет }
triggers:
  examples:
    en: [hi, hello, good morning]
    ru: [привет, здравствуйте, добрый день]
  commands: [hi]
steps:
  - id: menu
    ask: { en: "How can I help?", ru: "Чем помочь?" }
    buttons:
      - label: { en: Order status, ru: Статус заказа }
        goto: { flow: order }
      - label: { en: A person, ru: Человек }
        goto: { flow: human }
`,
  "order.yaml": `id: order
title: { en: Order status, ru: Статус заказа }
triggers:
  examples:
    en: [where is my order, order status, my parcel has not arrived, track my package]
    ru: [где мой заказ, статус заказа, посылка не пришла, отследить посылку]
steps:
  - id: number
    ask: { en: "Your order number?", ru: "Номер заказа?" }
    input: { pattern: "^[A-Z]{2}-\\\\d{4}$", transform: upper }
    save: order
    retry: { en: "Order numbers look like AB-1234.", ru: "Номер выглядит так: AB-1234." }
    maxRetries: 1
    onFail: handover
  - id: answer
    say: { en: "Order {{order}} ships tomorrow.", ru: "Заказ {{order}} отправим завтра." }
  - id: done
    end: resolved
  - id: handover
    escalate: { skill: orders, priority: high, reason: "Could not read the order number" }
    say: { en: "A person will help.", ru: "Вам поможет сотрудник." }
`,
  "human.yaml": `id: human
title: { en: Person, ru: Человек }
triggers:
  examples:
    en: [talk to a human, I want a person, operator please]
    ru: [позовите человека, хочу оператора, соедините с сотрудником]
steps:
  - id: go
    escalate: { skill: general, reason: "Customer asked for a person" }
    say: { en: "Connecting you to a person.", ru: "Соединяю с сотрудником." }
`,
  "fallback.yaml": `id: fallback
title: { en: Not sure, ru: Не понял }
steps:
  - id: sorry
    say: { en: "I'm not sure I understood.", ru: "Я не уверен, что понял." }
  - id: back
    goto: { flow: hello }
`,
};

export function writeFlowFixture(overrides: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "frontline-flows-"));
  writeFileSync(join(dir, "frontline.yaml"), BOT_YAML);
  for (const [file, text] of Object.entries({ ...FLOWS, ...overrides }))
    writeFileSync(join(dir, file), text);
  return dir;
}
