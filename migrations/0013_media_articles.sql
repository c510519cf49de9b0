ALTER TABLE "outbox" DROP CONSTRAINT "outbox_method_check";--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "article_fr" text;--> statement-breakpoint
ALTER TABLE "request_messages" ADD COLUMN "media_enc" text;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "article_fr" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_article_fr_check" CHECK ("organisations"."article_fr" in ('le', 'la', 'l''', 'les'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_method_check" CHECK ("outbox"."method" in ('sendMessage', 'copyMessage', 'sendPhoto', 'sendVoice', 'editMessageText', 'editMessageReplyMarkup', 'deleteMyCommands'));--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_article_fr_check" CHECK ("sites"."article_fr" in ('le', 'la', 'l''', 'les'));