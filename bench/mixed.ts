import { performance } from "node:perf_hooks";
import { and, eq, sql } from "drizzle-orm";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import { rowsOf } from "../src/db/executor";
import { requests } from "../src/db/schema";
import { replaceDirectory } from "../src/directory/store";
import { fixtureDirectory } from "../test/support/directory-fixture";
import { callbackUpdate, locationUpdate, type Person, textUpdate } from "../test/support/updates";
import type { BenchDatabase } from "./database";
import { buildPerche, joinAsWorker, type Perche, requestFlowSteps, translations } from "./perche";
import { round, type Summary, seededRandom, summarise, weightedPick } from "./stats";
import { instantTelegram, STUB_BOT_INFO } from "./telegram-stub";

/**
 * Section 1 and 2: mixed traffic through the real middleware stack on a real database, and the floor (a
 * bare grammY bot doing one indexed SELECT per update) on the same stub and database.
 */

export type TrafficKind =
  | "directory: typed word"
  | "directory: menu button"
  | "directory: location"
  | "directory: inline button"
  | "request flow step"
  | "request flow: send"
  | "relayed message"
  | "worker action";

type Drawn = { kind: TrafficKind; update: () => Update };

const WORKERS = 10;

export type MixedOptions = { people: number; updates: number; pacedSeconds: number; concurrency: number };

export type RunFigures = {
  updates: number;
  seconds: number;
  updatesPerSecond: number;
  latencyMs: Summary;
  errors: number;
};

export type MixedResult = {
  people: number;
  mixed: RunFigures & { peakRssMb: number; rssGrowthSecondHalfPct: number; heapGrowthSecondHalfPct: number };
  directoryOnly: RunFigures;
  floor: RunFigures;
  paced: RunFigures & { targetPerSecond: number };
  roundTrips: {
    kind: TrafficKind;
    samples: number;
    mean: number;
    max: number;
    writesMean: number;
    /** This process's CPU time per update (user + system), one update at a time: with PGlite it includes the database's. */
    cpuMicros: number;
  }[];
};

export class Traffic {
  private readonly random = seededRandom(20261201);
  private readonly directoryPeople: Person[] = [];
  private readonly flowPeople: Person[] = [];
  readonly relayPeople: Person[] = [];
  readonly workers: Person[] = [];
  private nextFlowPerson = 0;
  private readonly inFlow: { steps: (() => Update)[]; next: number }[] = [];
  openRequestIds: string[] = [];

  constructor(people: number) {
    const relay = Math.max(20, Math.round(people * 0.04));
    const flow = Math.round(people * 0.2);
    for (let i = 0; i < people; i++) {
      const person: Person = { id: 10_000_000 + i, languageCode: i % 10 < 7 ? "fr" : "en", firstName: "P" };
      if (i < relay) this.relayPeople.push(person);
      else if (i < relay + flow) this.flowPeople.push(person);
      else this.directoryPeople.push(person);
    }
    for (let i = 0; i < WORKERS; i++)
      this.workers.push({ id: 20_000_000 + i, languageCode: "fr", firstName: `W${i}` });
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  draw(): Drawn {
    const kind = weightedPick({ directory: 60, flow: 15, relay: 15, worker: 10 }, this.random);
    if (kind === "directory") return this.directory();
    if (kind === "flow") return this.flowStep();
    if (kind === "relay") return this.relay();
    return this.workerAction();
  }

  drawOf(kind: TrafficKind): Drawn {
    for (;;) {
      const drawn =
        kind === "relayed message"
          ? this.relay()
          : kind === "worker action"
            ? this.workerAction()
            : this.directory();
      if (drawn.kind === kind) return drawn;
    }
  }

  /**
   * A whole request flow for the next flow person, every step in order, the last ("send") under a kind
   * of its own: sampling random steps of interleaved flows often missed "send", the costliest.
   */
  wholeFlow(): Drawn[] {
    const person = this.flowPeople[this.nextFlowPerson++ % this.flowPeople.length] as Person;
    const steps = requestFlowSteps(person);
    return steps.map((update, i) => ({
      kind: i === steps.length - 1 ? "request flow: send" : "request flow step",
      update,
    }));
  }

  directory(): Drawn {
    const person = this.pick(this.directoryPeople);
    const t = translations.forLocale(person.languageCode === "en" ? "en" : "fr");
    const what = weightedPick({ word: 30, menu: 30, location: 20, button: 20 }, this.random);
    if (what === "word") {
      const word = this.pick([
        "naloxone",
        "seringue",
        "pipe",
        "narcan",
        "test strip",
        "Verdun",
        "🚇 Berri-UQAM",
      ]);
      return { kind: "directory: typed word", update: () => textUpdate(person, word) };
    }
    if (what === "menu") {
      const label = t(this.pick(["common.menu.supplies", "common.menu.open", "common.menu.near"]));
      return { kind: "directory: menu button", update: () => textUpdate(person, label) };
    }
    if (what === "location") {
      const lat = 45.45 + this.random() * 0.12;
      const lon = -73.65 + this.random() * 0.15;
      return { kind: "directory: location", update: () => locationUpdate(person, lat, lon) };
    }
    const data = this.pick(["mat:naloxone", "mat:pipes", "site:day-site", "site:night-site"]);
    return { kind: "directory: inline button", update: () => callbackUpdate(person, data) };
  }

  flowStep(): Drawn {
    if (this.inFlow.length < 40 || this.random() < 0.2) {
      const person = this.flowPeople[this.nextFlowPerson++ % this.flowPeople.length] as Person;
      this.inFlow.push({ steps: requestFlowSteps(person), next: 0 });
    }
    const index = Math.floor(this.random() * this.inFlow.length);
    const flow = this.inFlow[index] as { steps: (() => Update)[]; next: number };
    const step = flow.steps[flow.next++] as () => Update;
    if (flow.next >= flow.steps.length) this.inFlow.splice(index, 1);
    return { kind: "request flow step", update: step };
  }

  relay(): Drawn {
    if (this.random() < 0.5) {
      const person = this.pick(this.relayPeople);
      return { kind: "relayed message", update: () => textUpdate(person, "Merci, j'arrive dans 10 minutes") };
    }
    const worker = this.pick(this.workers);
    return { kind: "relayed message", update: () => textUpdate(worker, "On t'attend, la porte est au fond") };
  }

  workerAction(): Drawn {
    const worker = this.pick(this.workers);
    const id = this.openRequestIds.pop();
    if (id) return { kind: "worker action", update: () => callbackUpdate(worker, `rq:claim:${id}`) };
    return { kind: "worker action", update: () => textUpdate(worker, "/garde") };
  }
}

async function openRequestIds(database: BenchDatabase): Promise<string[]> {
  const rows = await database.db
    .select({ id: requests.id })
    .from(requests)
    .where(eq(requests.status, "open"));
  return rows.map((r) => r.id);
}

/** Ten workers on call; each relay person holds a request claimed by one of them. */
export async function setUp(perche: Perche, database: BenchDatabase, traffic: Traffic): Promise<void> {
  await replaceDirectory(database.db, fixtureDirectory());
  for (const [i, worker] of traffic.workers.entries()) await joinAsWorker(perche, worker, `Intervenant${i}`);
  const lastClaimed = new Map<Person, string | undefined>();
  for (const [i, person] of traffic.relayPeople.entries()) {
    for (const step of requestFlowSteps(person)) await perche.bot.handleUpdate(step());
    const [request] = await database.db
      .select({ id: requests.id })
      .from(requests)
      .where(and(eq(requests.status, "open")));
    const worker = traffic.workers[i % WORKERS] as Person;
    if (request) await perche.bot.handleUpdate(callbackUpdate(worker, `rq:claim:${request.id}`));
    lastClaimed.set(worker, request?.id);
  }
  // Each worker holds several requests: they choose one with its 💬, so that their plain words are a
  // relay (holding several with no choice, the bot would ask which).
  for (const [worker, requestId] of lastClaimed)
    if (requestId) await perche.bot.handleUpdate(callbackUpdate(worker, `rq:focus:${requestId}`));
}

/** Runs the updates with `concurrency` in flight; per-update time from handleUpdate's start to its end. */
async function runClosedLoop(
  handle: (update: Update) => Promise<void>,
  drawn: Drawn[],
  concurrency: number,
  onHalf?: () => void,
): Promise<RunFigures> {
  const latencies = new Array<number>(drawn.length);
  let errors = 0;
  let next = 0;
  const half = Math.floor(drawn.length / 2);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < drawn.length) {
        const index = next++;
        if (index === half) onHalf?.();
        const update = (drawn[index] as Drawn).update();
        const t0 = performance.now();
        try {
          await handle(update);
        } catch {
          errors += 1;
        }
        latencies[index] = performance.now() - t0;
      }
    }),
  );
  return figures(drawn.length, started, latencies, errors);
}

/** A run's figures, from its start (performance.now()) to now. */
function figures(updates: number, started: number, latencies: number[], errors: number): RunFigures {
  const seconds = (performance.now() - started) / 1000;
  return {
    updates,
    seconds: round(seconds),
    updatesPerSecond: round(updates / seconds, 0),
    latencyMs: roundSummary(summarise(latencies)),
    errors,
  };
}

/** Updates arrive at a fixed rate whatever the bot does; time counts from arrival to the end of handling. */
async function runPaced(
  handle: (update: Update) => Promise<void>,
  drawn: Drawn[],
  perSecond: number,
): Promise<RunFigures> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < drawn.length; i++) {
    const due = started + (i * 1000) / perSecond;
    while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
    const update = (drawn[i] as Drawn).update();
    inFlight.push(
      handle(update).then(
        () => {
          latencies.push(performance.now() - due);
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return figures(drawn.length, started, latencies, errors);
}

function roundSummary(summary: Summary): Summary {
  return {
    count: summary.count,
    p50: round(summary.p50),
    p95: round(summary.p95),
    p99: round(summary.p99),
    max: round(summary.max),
  };
}

/** Samples memory while a run goes on; the run calls `half()` when half its updates have started. */
function memorySampler() {
  const halves = [
    { rss: 0, heap: 0 },
    { rss: 0, heap: 0 },
  ];
  let current = 0;
  let peakRss = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    const half = halves[current] as { rss: number; heap: number };
    half.rss = Math.max(half.rss, rss);
    half.heap = Math.max(half.heap, heapUsed);
  };
  const timer = setInterval(sample, 50);
  return {
    half() {
      sample();
      current = 1;
    },
    stop() {
      sample();
      clearInterval(timer);
      const [first, second] = halves as [{ rss: number; heap: number }, { rss: number; heap: number }];
      return {
        peakRssMb: round(peakRss / 2 ** 20, 0),
        rssGrowthSecondHalfPct: round(((second.rss - first.rss) / first.rss) * 100, 1),
        heapGrowthSecondHalfPct: round(((second.heap - first.heap) / first.heap) * 100, 1),
      };
    },
  };
}

/** A bare grammY bot: one indexed SELECT (a primary-key lookup) and one reply per update. */
function buildFloor(database: BenchDatabase, fetch: typeof globalThis.fetch) {
  const bot = new Bot("123456789:FLOORFLOORFLOORFLOORFLOORFLOORFLOOR", {
    botInfo: STUB_BOT_INFO,
    client: { fetch },
  });
  bot.on(["message", "callback_query"], async (ctx) => {
    const key = String(ctx.from?.id ?? 0);
    rowsOf(await database.db.execute(sql`select locale from language_choices where pseudonym = ${key}`));
    await ctx.reply("ok");
  });
  return bot;
}

export async function runMixed(database: BenchDatabase, options: MixedOptions): Promise<MixedResult> {
  const telegram = instantTelegram();
  const perche = buildPerche(database.db, telegram.fetch);
  const traffic = new Traffic(options.people);
  await setUp(perche, database, traffic);
  const handle = (update: Update) => perche.bot.handleUpdate(update);

  // Warm-up: JIT, the catalog cache, prepared statements.
  await runClosedLoop(
    handle,
    Array.from({ length: 300 }, () => traffic.directory()),
    options.concurrency,
  );

  // SQL round trips per update, by kind: one update at a time so the count belongs to it. Request flows
  // are run whole (each step of `samples` flows, in order), so "send" is always measured.
  traffic.openRequestIds = await openRequestIds(database);
  const samples = Math.max(30, Math.min(120, Math.round(options.updates / 100)));
  const counted = new Map<TrafficKind, { counts: number[]; writes: number; cpu: number }>();
  const measure = async (drawn: Drawn) => {
    const update = drawn.update();
    const before = { ...database.counter };
    const cpu = process.cpuUsage();
    await handle(update);
    const used = process.cpuUsage(cpu);
    const row = counted.get(drawn.kind) ?? { counts: [], writes: 0, cpu: 0 };
    row.cpu += used.user + used.system;
    row.counts.push(database.counter.statements - before.statements);
    row.writes += database.counter.writes - before.writes;
    counted.set(drawn.kind, row);
  };
  for (const kind of [
    "directory: typed word",
    "directory: menu button",
    "directory: location",
    "directory: inline button",
  ] as const)
    for (let i = 0; i < samples; i++) await measure(traffic.drawOf(kind));
  for (let i = 0; i < samples; i++) for (const step of traffic.wholeFlow()) await measure(step);
  for (let i = 0; i < samples; i++) await measure(traffic.drawOf("relayed message"));
  // Worker actions claim requests that the flows above have just sent.
  traffic.openRequestIds = await openRequestIds(database);
  for (let i = 0; i < samples; i++) await measure(traffic.drawOf("worker action"));
  const roundTrips: MixedResult["roundTrips"] = [...counted].map(([kind, { counts, writes, cpu }]) => ({
    kind,
    samples: counts.length,
    mean: round(counts.reduce((a, b) => a + b, 0) / counts.length, 1),
    max: Math.max(...counts),
    writesMean: round(writes / counts.length, 2),
    cpuMicros: round(cpu / counts.length, 0),
  }));

  // Mixed traffic, saturated: throughput, latency and memory.
  traffic.openRequestIds = await openRequestIds(database);
  const drawn = Array.from({ length: options.updates }, () => traffic.draw());
  perche.startFlushing();
  const memory = memorySampler();
  const mixed = await runClosedLoop(handle, drawn, options.concurrency, () => memory.half());
  const mixedMemory = memory.stop();

  // Directory traffic alone, against the floor on the same database and stub.
  const directoryCount = Math.round(options.updates / 2);
  const directoryOnly = await runClosedLoop(
    handle,
    Array.from({ length: directoryCount }, () => traffic.directory()),
    options.concurrency,
  );
  const floorBot = buildFloor(database, instantTelegram().fetch);
  const floorHandle = (update: Update) => floorBot.handleUpdate(update);
  await runClosedLoop(
    floorHandle,
    Array.from({ length: 300 }, () => traffic.directory()),
    options.concurrency,
  );
  const floor = await runClosedLoop(
    floorHandle,
    Array.from({ length: directoryCount }, () => traffic.directory()),
    options.concurrency,
  );

  // Mixed traffic arriving at a steady rate: the latency a person sees at that load. 1,000/s is the target,
  // measured whenever the saturated run got there; a machine that cannot sustain it is measured at half its
  // saturated throughput instead, so the figure is a latency and not the length of a growing queue.
  traffic.openRequestIds = await openRequestIds(database);
  const targetPerSecond =
    mixed.updatesPerSecond >= 1000 ? 1000 : Math.max(50, Math.round(mixed.updatesPerSecond / 2 / 50) * 50);
  const paced = await runPaced(
    handle,
    Array.from({ length: Math.round(options.pacedSeconds * targetPerSecond) }, () => traffic.draw()),
    targetPerSecond,
  );

  await perche.stopFlushing();
  return {
    people: options.people,
    mixed: { ...mixed, ...mixedMemory },
    directoryOnly,
    floor,
    paced: { ...paced, targetPerSecond },
    roundTrips,
  };
}
