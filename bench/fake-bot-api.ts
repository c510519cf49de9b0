import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { STUB_BOT_INFO } from "./telegram-stub";

/**
 * The smallest Bot API `npm start` can run against (the tests' test/e2e/fake-bot-api.ts needs vitest):
 * getMe, the start-up setters, getUpdates handing out queued updates, and sendMessage, which resolves
 * `firstAnswer` with the chat it went to.
 */
export async function startTinyBotApi(updates: unknown[]) {
  let answered: (chatId: number) => void = () => {};
  const firstAnswer = new Promise<number>((resolve) => {
    answered = resolve;
  });
  let nextUpdate = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      const text = Buffer.concat(chunks).toString("utf8");
      const payload = text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : {};
      const reply = (result: unknown) => {
        const body = JSON.stringify({ ok: true, result });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      };
      if (method === "getMe") return reply(STUB_BOT_INFO);
      if (method === "getUpdates") {
        const batch = updates.slice(nextUpdate);
        nextUpdate = updates.length;
        // Long polling: an empty answer after a short wait, so the poller does not spin.
        if (batch.length === 0) return setTimeout(() => reply([]), 200);
        return reply(batch);
      }
      if (method === "sendMessage") {
        answered(Number(payload.chat_id));
        return reply({ message_id: 1, date: 0, chat: { id: payload.chat_id, type: "private" }, text: "" });
      }
      return reply(true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    firstAnswer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
