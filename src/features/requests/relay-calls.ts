import type { OutboxMessage } from "../../outbox/enqueue";
import { splitForTelegram } from "../../text/split";
import { plainText } from "./notices";
import type { RelayContent } from "./relay";

const CAPTION_LIMIT = 1024;

/**
 * The outbox calls for one relayed piece: text as plain text, split in order when the name before it
 * takes it past Telegram's limit (a refused message would be lost); media with the sender's name as a
 * plain caption.
 */
export function relayCalls(
  content: RelayContent,
  line: (message: string) => string,
): Pick<OutboxMessage, "method" | "payload">[] {
  if (content.kind === "text")
    return splitForTelegram(line(content.text)).map((text) => ({
      method: "sendMessage",
      payload: plainText(text),
    }));
  const nameOnly = line("")
    .replace(/\s*:?\s*$/, "")
    .slice(0, CAPTION_LIMIT);
  const withCaption = content.caption ? line(content.caption) : nameOnly;
  // The name makes a full caption too long: the media goes with the name, its caption right after.
  const fits = withCaption.length <= CAPTION_LIMIT;
  const caption = fits ? withCaption : nameOnly;
  const media: Pick<OutboxMessage, "method" | "payload"> =
    content.kind === "photo"
      ? { method: "sendPhoto", payload: { photo: content.fileId, caption } }
      : { method: "sendVoice", payload: { voice: content.fileId, caption } };
  if (fits || !content.caption) return [media];
  return [media, ...relayCalls({ kind: "text", text: content.caption }, line)];
}
