import { describe, expect, it } from "vitest";
import { percentile, seededRandom, summarise, weightedPick } from "../../bench/stats";
import { RateLimits } from "../../bench/telegram-stub";

describe("the benchmark's percentiles", () => {
  it("takes the nearest rank, whatever the order of the values", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarises p50, p95, p99 and max of 1..1000", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(summarise(values)).toEqual({ count: 1000, p50: 500, p95: 950, p99: 990, max: 1000 });
  });

  it("draws the same traffic from the same seed, in the weights' proportions", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    const random = seededRandom(1);
    const counts = { directory: 0, flow: 0 };
    for (let i = 0; i < 10_000; i++) counts[weightedPick({ directory: 60, flow: 40 }, random)] += 1;
    expect(counts.directory).toBeGreaterThan(5700);
    expect(counts.directory).toBeLessThan(6300);
  });
});

describe("the stub's Telegram limits", () => {
  it("accepts one message a second per chat and answers a second one with retry_after", () => {
    const limits = new RateLimits(30, 1000);
    expect(limits.offer("a", 0)).toBeUndefined();
    expect(limits.offer("a", 400)).toBe(1);
    expect(limits.offer("b", 400)).toBeUndefined();
    expect(limits.offer("a", 1000)).toBeUndefined();
  });

  it("accepts 30 messages in any second overall, then refuses until the oldest is a second old", () => {
    const limits = new RateLimits(30, 1000);
    for (let i = 0; i < 30; i++) expect(limits.offer(`chat${i}`, i * 10)).toBeUndefined();
    expect(limits.offer("another", 500)).toBe(1);
    expect(limits.offer("another", 999)).toBe(1);
    expect(limits.offer("another", 1000)).toBeUndefined();
  });
});
