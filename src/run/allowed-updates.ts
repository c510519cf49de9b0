/** Only what the bot uses: fewer update kinds means less data about people passes through it. */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const;
