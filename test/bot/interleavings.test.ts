import { and, eq, isNull } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { members, pendingWords, requests } from "../../src/db/schema";
import { NICKNAME_ANIMALS } from "../../src/features/requests/nickname";
import { nicknameOf } from "../../src/features/requests/notices";
import type { Request } from "../../src/features/requests/queries";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { callbackDatas, createHarness, type Harness } from "../support/harness";
import { interleaving, type Step } from "../support/interleaving-steps";
import { sentMessages } from "../support/sent-messages";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Issue 11, part 6: random interleavings of claims, releases, hand-overs, words, replies and taps by
 * three people, two workers and a peer helper, through the real bot on the real database. A model
 * written from the README's rules says where each message must go; every message carries a unique
 * token, found afterwards among everything the fake Telegram sent. No message reaches a chat other
 * than the one its author replied to or chose, none is lost, none is sent twice.
 */

// --- The model ----------------------------------------------------------------------------------------

const PEER = 2; // authors: workers 0 and 1, the peer 2
type Author = 0 | 1 | typeof PEER;

type ModelRequest = {
  id: string;
  nickname: string;
  /** Where words to "the person" go: the person's chat, or the peer's for a relayed request. */
  chat: number;
  relayed: boolean;
  createdAt: number;
  claimedBy: 0 | 1 | null;
  claimedAt: number;
};

/** What became of one message, as the model says. */
type Expectation = {
  token: string;
  text: string;
  authorChat: number;
  /** Sent: this exact text, once, in this chat (and nowhere else outside the workers' chats). */
  dest?: { chat: number; exact: string };
  /** The request they went to (relayed, or kept with it while nobody held it). */
  requestId?: string;
  /** A person's (or the peer's) words while nobody held their request: whoever claims it must see them. */
  waitingOn?: string;
};

type Question = {
  author: Author;
  token: string;
  messageId: number;
  choices: { data: string; requestId: string }[];
  answered: boolean;
};

type Focus = { requestId: string; setAt: number } | null;

describe.each(DRIVERS)("addressing under random interleavings, on $name", ({ open }) => {
  let database: DatabaseHandle;
  useDatabase(open, (opened) => {
    database = opened;
  });
  let nextId = 9_700_000;
  const someone = (): Person => ({ id: nextId++, languageCode: "fr", firstName: "Roitelet" });
  let firstRun = true;

  async function runOnce(steps: Step[]): Promise<void> {
    await resetRequests(database);
    const bot: Harness = await createHarness(database, firstRun ? {} : { directory: null });
    firstRun = false;
    const t = bot.deps.translations.forLocale("fr");
    let clock = WEDNESDAY_2PM.getTime();
    const tick = () => {
      clock += 60_000;
      bot.setNow(new Date(clock));
    };

    const workers = [
      await joinTeam(bot, database, someone(), "Marc", { onCall: true }),
      await joinTeam(bot, database, someone(), "Béa", { onCall: true }),
    ];
    const peer = await joinTeam(bot, database, someone(), "Sam", { role: "peer" });
    const people = [someone(), someone(), someone()];
    const aliases = ["Marc", "Béa", "Sam"];
    const authors: Person[] = [workers[0] as Person, workers[1] as Person, peer];
    const workerChats = new Set(workers.map((w) => w.id));

    const model: ModelRequest[] = [];
    const personRequest = new Map<number, string>();
    const focus: Focus[] = [null, null, null];
    const expectations: Expectation[] = [];
    const questions: Question[] = [];
    /**
     * Messages in a member's chat that belong to a request, known from what the member did (their own
     * words that went to it, the 💬 prompts): "chat:message" → request.
     */
    const belongs = new Map<string, string>();
    let tokens = 0;
    const log: string[] = [];

    const requestOf = (id: string) => model.find((r) => r.id === id) as ModelRequest;
    const held = (author: Author): ModelRequest[] =>
      author === PEER ? model.filter((r) => r.relayed) : model.filter((r) => r.claimedBy === author);
    const heldSince = (author: Author, r: ModelRequest) => (author === PEER ? r.createdAt : r.claimedAt);
    const word = () => {
      tokens += 1;
      const token = `m${tokens}x`;
      return { token, text: `mot ${token} fin` };
    };

    /** Where a member's words go (README, "Workers with several requests"), from the model alone. */
    function address(
      author: Author,
      act: { kind: "words" } | { kind: "reply"; requestId: string },
    ):
      | { kind: "send"; requestId: string; refocus: boolean }
      | { kind: "ask" }
      | { kind: "refuse" }
      | { kind: "nothing-held" } {
      const mine = held(author);
      if (act.kind === "reply") {
        if (!mine.some((r) => r.id === act.requestId)) return { kind: "refuse" };
        return { kind: "send", requestId: act.requestId, refocus: true };
      }
      if (mine.length === 0) return { kind: "nothing-held" };
      if (mine.length === 1) return { kind: "send", requestId: (mine[0] as ModelRequest).id, refocus: false };
      const current = focus[author];
      const newest = Math.max(...mine.map((r) => heldSince(author, r)));
      if (current && mine.some((r) => r.id === current.requestId) && current.setAt >= newest)
        return { kind: "send", requestId: current.requestId, refocus: false };
      return { kind: "ask" };
    }

    /** The model's record of words that went to `requestId`, sent by a member. */
    function memberSent(author: Author, expectation: Expectation, requestId: string, messageId: number) {
      const r = requestOf(requestId);
      belongs.set(`${authors[author]?.id}:${messageId}`, requestId);
      expectation.requestId = requestId;
      if (author !== PEER) {
        const line = `${aliases[author]} : ${expectation.text}`;
        expectation.dest = { chat: r.chat, exact: r.relayed ? `🤝 ${r.nickname}\n${line}` : line };
      } else fromPersonSide(expectation, r);
    }

    /** A person's (or the peer's) words to a request: to its holder, or waiting for whoever claims it. */
    function fromPersonSide(expectation: Expectation, r: ModelRequest) {
      expectation.requestId = r.id;
      if (r.claimedBy === null) expectation.waitingOn = r.id;
      else
        expectation.dest = {
          chat: (workers[r.claimedBy] as Person).id,
          exact: `${r.nickname} : ${expectation.text}`,
        };
    }

    async function named(id: string): Promise<string> {
      // Unique nicknames in a run, so that a message's nickname names one request.
      const animal = NICKNAME_ANIMALS[model.length] as string;
      await database.db
        .update(requests)
        .set({ nicknameAnimal: animal, nicknameColour: "blue" })
        .where(eq(requests.id, id));
      const [row] = await database.db.select().from(requests).where(eq(requests.id, id));
      return nicknameOf(row as Request);
    }

    async function ask(who: Person) {
      const first = word();
      const send = callbackUpdate(who, "f:send");
      await bot.send(
        textUpdate(who, "/parler"),
        callbackUpdate(who, "f:cat:talk"),
        textUpdate(who, first.text),
        callbackUpdate(who, "f:ans:chat"),
        callbackUpdate(who, "f:skip"),
        send,
      );
      const [row] = await database.db
        .select()
        .from(requests)
        .where(eq(requests.sourceUpdateId, send.update_id));
      if (!row) throw new Error("the request was not made");
      model.push({
        id: row.id,
        nickname: await named(row.id),
        chat: who.id,
        relayed: false,
        createdAt: clock,
        claimedBy: null,
        claimedAt: 0,
      });
      personRequest.set(who.id, row.id);
      expectations.push({ ...first, authorChat: who.id, waitingOn: row.id });
    }

    async function relay() {
      const first = word();
      await bot.send(
        textUpdate(peer, "/relais"),
        callbackUpdate(peer, "f:cat:food"),
        textUpdate(peer, first.text),
        callbackUpdate(peer, "f:ans:chat"),
        callbackUpdate(peer, "f:area:centre-sud"),
        callbackUpdate(peer, "f:send"),
      );
      const id = callbackDatas(bot.lastCall(peer.id)?.payload)[0]?.slice("pr:wd:".length) ?? "";
      const [row] = await database.db.select().from(requests).where(eq(requests.id, id));
      if (!row) throw new Error("the relayed request was not made");
      model.push({
        id,
        nickname: await named(id),
        chat: peer.id,
        relayed: true,
        createdAt: clock,
        claimedBy: null,
        claimedAt: 0,
      });
      expectations.push({ ...first, authorChat: peer.id, waitingOn: id });
    }

    /** A member's words, plain or as a reply to `replyTo` (belonging to `requestId`, or to none). */
    async function memberWords(author: Author, replyTo?: { messageId: number; requestId: string | null }) {
      const who = authors[author] as Person;
      const w = word();
      const expectation: Expectation = { ...w, authorChat: who.id };
      expectations.push(expectation);
      const update = replyTo
        ? messageUpdate(who, {
            text: w.text,
            reply_to_message: {
              message_id: replyTo.messageId,
              date: 1_790_000_000,
              chat: { id: who.id, type: "private", first_name: "x" },
              text: "…",
            },
          })
        : textUpdate(who, w.text);
      const messageId = Number(update.message?.message_id);
      const act = replyTo?.requestId
        ? { kind: "reply" as const, requestId: replyTo.requestId }
        : { kind: "words" as const };
      const outcome = address(author, act);
      const before = bot.telegram.calls.length;
      await bot.send(update);
      const answers = sentMessages(bot.telegram).filter(
        (m) => m.chatId === who.id && bot.telegram.calls.indexOf(m.call) >= before,
      );
      log.push(
        `${aliases[author]} ${replyTo ? `replies to ${replyTo.messageId}` : "writes"} ${w.token}: ${outcome.kind}`,
      );
      switch (outcome.kind) {
        case "send":
          memberSent(author, expectation, outcome.requestId, messageId);
          if (outcome.refocus) focus[author] = { requestId: outcome.requestId, setAt: clock };
          return;
        case "refuse":
          expect(
            answers.map((a) => a.text),
            log.join("\n"),
          ).toContain(t("addressing.refused.not-yours"));
          return;
        case "ask": {
          const question = answers.find((a) => a.text === t("addressing.which"));
          expect(question, `no "which request?" after ${w.token}\n${log.join("\n")}`).toBeDefined();
          const choices = callbackDatas(question?.call.payload).map((data) => ({
            data,
            requestId: data.split(":").pop() as string,
          }));
          expect(choices.map((c) => c.requestId).sort(), log.join("\n")).toEqual(
            held(author)
              .map((r) => r.id)
              .sort(),
          );
          questions.push({ author, token: w.token, messageId, choices, answered: false });
          return;
        }
        case "nothing-held":
          // Nothing to write to: a look-up like anyone's (checked below: it reaches nobody else).
          return;
      }
    }

    /** What the bot sent to `chat` since the call numbered `before`. */
    const newTo = (chat: number, before: number) =>
      sentMessages(bot.telegram).filter(
        (m) => m.chatId === chat && bot.telegram.calls.indexOf(m.call) >= before,
      );

    async function answer(question: Question, choice: { data: string; requestId: string }) {
      const who = authors[question.author] as Person;
      const before = bot.telegram.calls.length;
      await bot.send(callbackUpdate(who, choice.data));
      const answers = sentMessages(bot.telegram)
        .filter((m) => m.chatId === who.id && bot.telegram.calls.indexOf(m.call) >= before)
        .map((m) => m.text);
      log.push(`${aliases[question.author]} answers which for ${question.token} → ${choice.requestId}`);
      if (question.answered) {
        expect(answers, log.join("\n")).toContain(t("addressing.stale"));
        return;
      }
      const expectation = expectations.find((e) => e.token === question.token) as Expectation;
      if (!held(question.author).some((r) => r.id === choice.requestId)) {
        expect(answers, log.join("\n")).toContain(t("addressing.refused.not-yours"));
        return;
      }
      question.answered = true;
      // "Sent to …" belongs to the request: a reply to it goes there.
      const nickname = requestOf(choice.requestId).nickname;
      const told = newTo(who.id, before).find((m) => m.text === t("addressing.sentTo", { nickname }));
      expect(told, log.join("\n")).toBeDefined();
      belongs.set(`${who.id}:${told?.messageId}`, choice.requestId);
      memberSent(question.author, expectation, choice.requestId, question.messageId);
      focus[question.author] = { requestId: choice.requestId, setAt: clock };
    }

    /** Messages in `chat` that belong to a request (or to none: the "which request?" question). */
    function repliable(chat: number): { messageId: number; requestId: string | null }[] {
      const out: { messageId: number; requestId: string | null }[] = [];
      for (const m of sentMessages(bot.telegram)) {
        if (m.chatId !== chat) continue;
        const data = callbackDatas(m.call.payload).find((d) => /^(rq:claim|rq:focus|pr:focus):/.test(d));
        const ofRelayedWords = expectations.find((e) => e.dest?.chat === chat && e.dest.exact === m.text);
        // A person's words added while nobody held the request, as the workers told about it see them.
        const waitingCopy = expectations.find(
          (e) => e.waitingOn && m.text === `➕ ${requestOf(e.waitingOn).nickname} ajoute : ${e.text}`,
        );
        const tagged =
          chat === peer.id ? model.find((r) => m.text.startsWith(`🤝 ${r.nickname}\n`)) : undefined;
        if (data) out.push({ messageId: m.messageId, requestId: data.split(":").pop() as string });
        else if (ofRelayedWords?.requestId)
          out.push({ messageId: m.messageId, requestId: ofRelayedWords.requestId });
        else if (waitingCopy?.requestId)
          out.push({ messageId: m.messageId, requestId: waitingCopy.requestId });
        else if (tagged) out.push({ messageId: m.messageId, requestId: tagged.id });
        else if (m.text === t("addressing.which")) out.push({ messageId: m.messageId, requestId: null });
      }
      // Their own words that went to a request, and the prompts that said where their words go.
      for (const [key, requestId] of belongs) {
        const [chatId, messageId] = key.split(":").map(Number);
        if (chatId === chat) out.push({ messageId: messageId as number, requestId });
      }
      return out;
    }

    for (const s of steps) {
      tick();
      switch (s.kind) {
        case "person": {
          const who = people[s.who] as Person;
          const mine = personRequest.get(who.id);
          if (!mine) {
            log.push(`person ${s.who} asks`);
            await ask(who);
            break;
          }
          const w = word();
          const expectation: Expectation = { ...w, authorChat: who.id };
          expectations.push(expectation);
          fromPersonSide(expectation, requestOf(mine));
          log.push(`person ${s.who} writes ${w.token}`);
          await bot.send(textUpdate(who, w.text));
          break;
        }
        case "relay":
          if (model.filter((r) => r.relayed).length < 2) {
            log.push("peer relays");
            await relay();
          } else await memberWords(PEER);
          break;
        case "peerWords":
          await memberWords(PEER);
          break;
        case "claim": {
          const open = model.filter((r) => r.claimedBy === null);
          const among = s.open && open.length > 0 ? open : model;
          if (among.length === 0) break;
          const r = among[s.pick % among.length] as ModelRequest;
          log.push(`${aliases[s.by]} claims ${r.nickname}`);
          await bot.send(callbackUpdate(workers[s.by] as Person, `rq:claim:${r.id}`));
          if (r.claimedBy === null) {
            r.claimedBy = s.by as 0 | 1;
            r.claimedAt = clock;
          }
          break;
        }
        case "release": {
          const mine = held(s.by as Author);
          if (mine.length === 0) break;
          const r = mine[s.pick % mine.length] as ModelRequest;
          log.push(`${aliases[s.by]} releases ${r.nickname}`);
          await bot.send(callbackUpdate(workers[s.by] as Person, `rq:release:${r.id}`));
          r.claimedBy = null;
          if (focus[s.by]?.requestId === r.id) focus[s.by] = null;
          break;
        }
        case "hand": {
          const mine = held(s.by as Author);
          if (mine.length === 0) break;
          const r = mine[s.pick % mine.length] as ModelRequest;
          const from = workers[s.by] as Person;
          const other = (1 - s.by) as 0 | 1;
          log.push(`${aliases[s.by]} hands ${r.nickname} to ${aliases[other]}`);
          await bot.send(callbackUpdate(from, `rq:hand:${r.id}`));
          const [colleague] = await database.db
            .select()
            .from(members)
            .where(and(eq(members.alias, aliases[other] as string), isNull(members.revokedAt)));
          const button = callbackDatas(bot.lastCall(from.id)?.payload).find(
            (d) => d === `rq:to:${r.id}:${colleague?.id}`,
          );
          expect(button, log.join("\n")).toBeDefined();
          await bot.send(callbackUpdate(from, button as string));
          r.claimedBy = other;
          r.claimedAt = clock;
          if (focus[s.by]?.requestId === r.id) focus[s.by] = null;
          break;
        }
        case "words":
          await memberWords(s.by as Author);
          break;
        case "reply":
        case "peerReply": {
          const author = (s.kind === "reply" ? s.by : PEER) as Author;
          const all = repliable((authors[author] as Person).id);
          const mine = all.filter(
            (c) => c.requestId === null || held(author).some((r) => r.id === c.requestId),
          );
          const candidates = s.mine && mine.length > 0 ? mine : all;
          if (candidates.length === 0) break;
          await memberWords(author, candidates[s.pick % candidates.length]);
          break;
        }
        case "tap":
        case "peerTap": {
          const author = (s.kind === "tap" ? s.by : PEER) as Author;
          const choices = author === PEER ? model.filter((r) => r.relayed) : model;
          if (choices.length === 0) break;
          const r = choices[s.pick % choices.length] as ModelRequest;
          log.push(`${aliases[author]} taps 💬 ${r.nickname}`);
          const who = authors[author] as Person;
          const before = bot.telegram.calls.length;
          await bot.send(callbackUpdate(who, `${author === PEER ? "pr" : "rq"}:focus:${r.id}`));
          if (held(author).some((x) => x.id === r.id)) {
            focus[author] = { requestId: r.id, setAt: clock };
            // The prompt that says so belongs to the request: a reply to it goes there.
            const prompt = newTo(who.id, before).find(
              (m) => m.text === t("addressing.focusNow", { nickname: r.nickname }),
            );
            expect(prompt, log.join("\n")).toBeDefined();
            belongs.set(`${who.id}:${prompt?.messageId}`, r.id);
          }
          break;
        }
        case "which": {
          if (questions.length === 0) break;
          const question = questions[s.pick % questions.length] as Question;
          await answer(
            question,
            question.choices[s.choice % question.choices.length] as Question["choices"][0],
          );
          break;
        }
      }
      await bot.deliver();
      checkAll();
    }

    // Nothing lost: every question still open is answered now, to a request its author still holds.
    for (const question of questions) {
      if (question.answered) continue;
      const choice = question.choices.find((c) => held(question.author).some((r) => r.id === c.requestId));
      if (!choice) continue;
      tick();
      await answer(question, choice);
      await bot.deliver();
    }
    checkAll();
    const stillKept = questions.filter((q) => !q.answered).length;
    expect(await database.db.select().from(pendingWords), log.join("\n")).toHaveLength(stillKept);

    function checkAll() {
      const sent = sentMessages(bot.telegram);
      const context = log.join("\n");
      for (const e of expectations) {
        const pattern = new RegExp(`\\b${e.token}\\b`);
        const withToken = sent.filter((m) => pattern.test(m.text));
        // Outside the workers' chats, only where it was sent, once (the author's own chat aside).
        const outside = withToken.filter((m) => !workerChats.has(m.chatId) && m.chatId !== e.authorChat);
        const expectedOutside = e.dest && !workerChats.has(e.dest.chat) ? [e.dest.chat] : [];
        expect(
          outside.map((m) => m.chatId),
          `${e.token} outside the workers' chats\n${context}`,
        ).toEqual(expectedOutside);
        // As a relayed message in a worker's chat: only in its holder's, once.
        const relayed = withToken.filter((m) => workerChats.has(m.chatId) && m.text === e.dest?.exact);
        const expectedRelayed = e.dest && workerChats.has(e.dest.chat) ? [e.dest.chat] : [];
        expect(
          relayed.map((m) => m.chatId),
          `${e.token} relayed to a worker\n${context}`,
        ).toEqual(expectedRelayed);
        if (e.dest && !workerChats.has(e.dest.chat))
          expect(
            outside.map((m) => m.text),
            `${e.token} as sent\n${context}`,
          ).toEqual([e.dest.exact]);
        // A worker's words reach a colleague only within the history of a request handed over to them.
        if (workerChats.has(e.authorChat))
          expect(
            withToken
              .filter((m) => workerChats.has(m.chatId) && m.chatId !== e.authorChat)
              .filter((m) => !m.text.includes(" te confie cette demande. Voici ce qui s'est dit :")),
            `${e.token} reached a colleague\n${context}`,
          ).toEqual([]);
        // Words that waited: whoever holds the request now has seen them.
        const waited = e.waitingOn ? requestOf(e.waitingOn) : undefined;
        if (waited && waited.claimedBy !== null) {
          const holderChat = (workers[waited.claimedBy] as Person).id;
          expect(
            withToken.some((m) => m.chatId === holderChat),
            `${e.token}, said while ${waited.nickname} waited, never reached ${aliases[waited.claimedBy]}\n${context}`,
          ).toBe(true);
        }
      }
    }
  }

  it("sends every message to the chat it was meant for, once, and loses none", async () => {
    await fc.assert(
      fc.asyncProperty(interleaving, (steps) => runOnce(steps)),
      { numRuns: 20 },
    );
  }, 120_000);
});
