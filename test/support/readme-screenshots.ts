// Takes the README's screenshots of the playground's three panes (docs/screenshots/), from a
// short scripted session in the real product: `node --import tsx test/support/readme-screenshots.ts`
// (needs Redis on 127.0.0.1:6379 and /usr/bin/chromium, like the browser tests).
import { mkdirSync } from "node:fs";
import { customerPane, deskPane, startPlayground } from "./playground.ts";

const OUT = "docs/screenshots";
mkdirSync(OUT, { recursive: true });
const pg = await startPlayground();
try {
  const page = await pg.open();
  await page.setViewportSize({ width: 1500, height: 900 });
  const customer = customerPane(page);
  const desk = deskPane(page);

  await customer.say("Hi, my payment did not arrive");
  await customer.hears("Let's check");
  await customer.newCustomer();
  await customer.say("I forgot my password");
  await customer.hears("To reset your password");
  await customer.press("No, I still need help");
  await customer.hears(/ticket #\d+/);
  await customer.say("I did not get the reset email either");
  await desk.open(1);
  await desk.write("/alias Anna");
  await desk.post("Customers will see you as “Anna”").waitFor();
  await desk.action("✋ Claim").click();
  await customer.hears("Anna from our support team has joined");
  await desk.write("// the account looks fine; resend the link");
  await desk.write("Hi! I have sent a new reset link to your email, valid for one hour.");
  await customer.hears("Anna: Hi! I have sent a new reset link");
  // A second ticket waits in the queue; the customer pane shows the first customer again.
  await customer.tab("Maria");
  await customer.say("/human");
  await customer.hears(/ticket #2/);
  await customer.tab("Jonas");
  await desk.open(1);

  for (const pane of ["customer", "agent", "debug"])
    await page.locator(`#${pane}-pane`).screenshot({ path: `${OUT}/playground-${pane}.png` });
} finally {
  await pg.close();
}
