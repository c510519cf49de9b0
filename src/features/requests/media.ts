import type { Message } from "grammy/types";
import type { Sealer } from "../../privacy/sealed";

/**
 * A photo or voice note a person sent to their request: Telegram's file id and its caption. Kept sealed
 * with the message (request_messages.media_enc) so that the worker who claims a request later receives
 * the note itself, not only its 🎤/📷 mark in the history: a person who cannot type must not lose their
 * words because nobody held the request yet. A file id names the file for this bot only; it says
 * nothing of who sent it, and goes with the request's history (retention, /oublier).
 */
export type RequestMedia = { kind: "photo" | "voice"; fileId: string; caption?: string };

/** The photo (its largest size) or voice note a message carries, with its caption; undefined otherwise. */
export function mediaInMessage(message: Message | undefined): RequestMedia | undefined {
  const caption = message?.caption ? { caption: message.caption } : {};
  const largest = message?.photo?.[message.photo.length - 1];
  if (largest) return { kind: "photo", fileId: largest.file_id, ...caption };
  if (message?.voice) return { kind: "voice", fileId: message.voice.file_id, ...caption };
  return undefined;
}

/** How the history (and a notice) shows it: its mark, and its caption if it has one. */
export const mediaMark = (media: RequestMedia): string => {
  const mark = media.kind === "photo" ? "📷" : "🎤";
  return media.caption ? `${mark} ${media.caption}` : mark;
};

export const sealMedia = (media: RequestMedia, sealer: Sealer): string =>
  sealer.seal(
    JSON.stringify({
      kind: media.kind,
      fileId: media.fileId,
      ...(media.caption !== undefined ? { caption: media.caption } : {}),
    }),
  );

/** The media kept with a message, or undefined when the value is not one (never trusted blindly). */
export function openMedia(sealed: string | null | undefined, sealer: Sealer): RequestMedia | undefined {
  if (!sealed) return undefined;
  try {
    const value = JSON.parse(sealer.open(sealed)) as Partial<RequestMedia>;
    if ((value.kind !== "photo" && value.kind !== "voice") || typeof value.fileId !== "string")
      return undefined;
    return {
      kind: value.kind,
      fileId: value.fileId,
      ...(typeof value.caption === "string" ? { caption: value.caption } : {}),
    };
  } catch {
    return undefined;
  }
}
