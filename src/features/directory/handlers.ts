import { Composer } from "grammy";
import { parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { nearMenu } from "../../bot/keyboards";
import type { Locale } from "../../config";
import { readIntent } from "../../directory/intent";
import type { Translate } from "../../text/translate";
import { showEmergency } from "../emergency";
import { chooseLanguage } from "../language/handlers";
import { isPeerMenuText } from "../peers/menu";
import { answerKindly, answerNotFound, offerWorker } from "./intent-replies";
import {
  sendPin,
  showMaterial,
  showMaterialChoice,
  showMenu,
  showNear,
  showOpenNow,
  showSite,
  showSuppliesMenu,
  withCatalog,
} from "./screens";

export const directoryFeature = new Composer<BotContext>();

const openSupplies = (ctx: BotContext) => withCatalog(ctx, (catalog) => showSuppliesMenu(ctx, catalog));
const openNowScreen = (ctx: BotContext) => withCatalog(ctx, (catalog) => showOpenNow(ctx, catalog));
const openNear = (ctx: BotContext) =>
  withCatalog(ctx, (catalog) =>
    ctx.reply(ctx.t("directory.near.prompt"), { reply_markup: nearMenu(ctx.t, catalog, ctx.locale) }),
  );

directoryFeature.command(["materiel", "supplies"], openSupplies);
directoryFeature.command(["ouvert", "open"], openNowScreen);
directoryFeature.command(["pres", "near"], openNear);
directoryFeature.command("menu", (ctx) => showMenu(ctx, "start.welcome"));

/**
 * Menu buttons arrive as plain text. They are matched in both languages, because a keyboard drawn in one
 * language stays on screen after the person switches to the other.
 */
type MenuAction = "supplies" | "open" | "near" | "emergency" | "back";
const MENU_ACTIONS: MenuAction[] = ["supplies", "open", "near", "emergency", "back"];

// Every text message is checked against the menu, here and in every dialogue: each translator's labels
// are read once and kept (a translator's texts never change while it lives).
type MenuLabels = { actions: Map<string, MenuAction>; requestsButton: string };
const labelsByTranslator = new WeakMap<Translate, MenuLabels>();

function menuLabels(t: Translate): MenuLabels {
  let labels = labelsByTranslator.get(t);
  if (!labels) {
    const actions = new Map<string, MenuAction>();
    for (const action of MENU_ACTIONS) {
      const label = t(`common.menu.${action}`);
      if (!actions.has(label)) actions.set(label, action);
    }
    labels = { actions, requestsButton: t("requests.menuButton") };
    labelsByTranslator.set(t, labels);
  }
  return labels;
}

export function menuActionFor(text: string, translators: Record<Locale, Translate>): MenuAction | undefined {
  for (const t of Object.values(translators)) {
    const action = menuLabels(t).actions.get(text);
    if (action) return action;
  }
  return undefined;
}

/** A tap on the menu keyboard (in either language), which must keep its meaning inside a dialogue. */
export function isMenuText(ctx: { deps: BotContext["deps"] }, text: string): boolean {
  const fr = ctx.deps.translations.forLocale("fr");
  const en = ctx.deps.translations.forLocale("en");
  return (
    menuActionFor(text, { fr, en }) !== undefined ||
    text === menuLabels(fr).requestsButton ||
    text === menuLabels(en).requestsButton ||
    isPeerMenuText(ctx.deps, text)
  );
}

directoryFeature.on("message:text", async (ctx, next) => {
  const { translations } = ctx.deps;
  const action = menuActionFor(ctx.message.text, {
    fr: translations.forLocale("fr"),
    en: translations.forLocale("en"),
  });
  switch (action) {
    case "supplies":
      return openSupplies(ctx);
    case "open":
      return openNowScreen(ctx);
    case "near":
      return openNear(ctx);
    case "emergency":
      return showEmergency(ctx);
    case "back":
      return showMenu(ctx, "start.welcome");
    default:
      return next();
  }
});

// A shared location answers this one question and is dropped: never stored, never logged.
directoryFeature.on("message:location", (ctx) =>
  withCatalog(ctx, (catalog) => {
    const { latitude, longitude } = ctx.message.location;
    return showNear(ctx, catalog, { lat: latitude, lon: longitude });
  }),
);

// Typed words, read for what they mean (src/directory/intent.ts): commands and menu labels were matched
// before this point, so what is left is an emergency, a call for a person, a greeting, or a lookup.
directoryFeature.on("message:text", (ctx) =>
  withCatalog(ctx, async (catalog) => {
    const intent = readIntent(catalog, ctx.message.text);
    switch (intent.kind) {
      case "emergency":
        return showEmergency(ctx);
      case "help":
        return offerWorker(ctx, catalog);
      case "greeting":
        return answerKindly(ctx, "intent.greeting");
      case "thanks":
        return answerKindly(ctx, "intent.thanks");
      case "materials": {
        const [first] = intent.materials;
        if (intent.materials.length === 1 && first) return showMaterial(ctx, catalog, first);
        return showMaterialChoice(ctx, intent.materials);
      }
      case "place":
        return showNear(ctx, catalog, intent.place, intent.place);
      case "site":
        await showSite(ctx, catalog, intent.site.id);
        return;
      case "not-found":
        return answerNotFound(ctx, catalog);
    }
  }),
);

directoryFeature.on("callback_query:data", async (ctx) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  if (action?.kind === "language") return chooseLanguage(ctx, action.choice);
  await withCatalog(ctx, async (catalog) => {
    let shown = false;
    switch (action?.kind) {
      case "supplies-menu":
        await showSuppliesMenu(ctx, catalog);
        shown = true;
        break;
      case "material": {
        const material = catalog.materialsById.get(action.materialId);
        if (material) {
          await showMaterial(ctx, catalog, material, action.offset);
          shown = true;
        }
        break;
      }
      case "open":
        await showOpenNow(ctx, catalog, action.offset);
        shown = true;
        break;
      case "site":
        shown = await showSite(ctx, catalog, action.siteId);
        break;
      case "pin":
        shown = await sendPin(ctx, catalog, action.siteId);
        break;
      case undefined:
        break;
    }
    if (shown) {
      await ctx.answerCallbackQuery();
      return;
    }
    // A forged button, or one left from before the directory changed: say so kindly, show the menu.
    const key = action?.kind === "site" || action?.kind === "pin" ? "common.goneSite" : "common.staleButton";
    await ctx.answerCallbackQuery({ text: ctx.t(key).split("\n")[0]?.slice(0, 190) ?? "" });
    await showMenu(ctx, key);
  });
});
