import { Composer } from "grammy";
import { parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { showEmergency } from "../../bot/emergency-card";
import { nearMenu } from "../../bot/keyboards";
import { menuLabelOf } from "../../bot/menu-labels";
import { readIntent } from "../../directory/intent";
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

// Menu buttons arrive as plain text, in either language (src/bot/menu-labels.ts).
directoryFeature.on("message:text", async (ctx, next) => {
  switch (menuLabelOf(ctx.deps, ctx.message.text)) {
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
