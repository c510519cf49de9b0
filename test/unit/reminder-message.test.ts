import { describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";
import { fromDirectoryFile } from "../../src/directory/file-model";
import type { Site } from "../../src/directory/model";
import { MAX_LISTED_SITES, oldSitesOf, reminderPayload } from "../../src/features/reminders/message";
import { fixtureDirectory } from "../support/directory-fixture";

const translations = createTranslations();
const fr = { t: translations.forLocale("fr"), locale: "fr" as const };
const base = fromDirectoryFile(fixtureDirectory()).sites[0] as Site;
const site = (id: string, verifiedOn: string, name = id, organisationId = "org-a"): Site => ({
  ...base,
  id,
  organisationId,
  verifiedOn,
  name: { fr: name, en: name },
});

describe("the reminder's message", () => {
  it("lists the organisation's sites past the limit, the oldest first", () => {
    const sites = [
      site("fresh", "2026-11-20"),
      site("b-old", "2026-10-01"),
      site("a-old", "2026-10-01"),
      site("older", "2026-09-01"),
      site("other-org", "2026-01-01", "x", "org-b"),
      // Exactly at the limit is not old yet.
      site("at-limit", "2026-10-24"),
    ];
    expect(oldSitesOf(sites, "org-a", "2026-11-23", 30).map((o) => [o.site.id, o.days])).toEqual([
      ["older", 83],
      ["a-old", 53],
      ["b-old", 53],
    ]);
  });

  it("lists ten at most, says how many more, and keeps two buttons a site", () => {
    const old = Array.from({ length: 12 }, (_, i) => ({
      site: site(`s${"x".repeat(37)}${i}`, "2026-10-01"),
      days: 53,
    }));
    const payload = reminderPayload(old, fr, 30);
    expect(payload.text.split("\n").filter((line) => /^\d+\. /.test(line))).toHaveLength(MAX_LISTED_SITES);
    expect(payload.text).toContain("\n… et 2 autres lieux, dans /lieux.\n");
    expect(payload.reply_markup.inline_keyboard).toHaveLength(MAX_LISTED_SITES);
    expect(payload.reply_markup.inline_keyboard.at(-1)?.map((b) => b.text)).toEqual([
      "✅ 10. Toujours vrai",
      "✏️ 10. Modifier",
    ]);
    for (const button of payload.reply_markup.inline_keyboard.flat())
      expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
  });

  it("escapes a site's name for HTML", () => {
    const payload = reminderPayload(
      [{ site: site("amp", "2026-10-01", "Chez <Lou> & Cie"), days: 53 }],
      fr,
      30,
    );
    expect(payload.text).toContain("<b>Chez &lt;Lou&gt; &amp; Cie</b> : vérifié il y a 53 jours");
  });
});

describe("the reminder's days", () => {
  it("says one day in the singular, in both languages", () => {
    const old = [{ site: site("one", "2026-11-20"), days: 3 }];
    const en = { t: translations.forLocale("en"), locale: "en" as const };
    expect(reminderPayload(old, fr, 1).text.split("\n")[0]).toBe(
      "🗓 Petit rappel : les infos de ce lieu datent de plus de 1 jour.",
    );
    expect(reminderPayload(old, en, 1).text.split("\n")[0]).toBe(
      "🗓 A small reminder: this site's information is more than 1 day old.",
    );
  });
});
