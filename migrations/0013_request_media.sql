ALTER TABLE "outbox" DROP CONSTRAINT "outbox_method_check";--> statement-breakpoint
ALTER TABLE "request_messages" ADD COLUMN "media_enc" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_method_check" CHECK ("outbox"."method" in ('sendMessage', 'copyMessage', 'sendPhoto', 'sendVoice', 'editMessageText', 'editMessageReplyMarkup', 'deleteMyCommands'));