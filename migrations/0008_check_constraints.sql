ALTER TABLE "alert_subscribers" ADD CONSTRAINT "alert_subscribers_locale_check" CHECK ("alert_subscribers"."locale" in ('fr', 'en'));--> statement-breakpoint
ALTER TABLE "directory_changes" ADD CONSTRAINT "directory_changes_kind_check" CHECK ("directory_changes"."kind" in ('stock_out', 'stock_back', 'day_closed', 'day_hours', 'day_reset', 'note_posted', 'note_removed'));--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_role_check" CHECK ("invitations"."role" in ('worker', 'peer', 'admin'));--> statement-breakpoint
ALTER TABLE "language_choices" ADD CONSTRAINT "language_choices_locale_check" CHECK ("language_choices"."locale" in ('fr', 'en'));--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_role_check" CHECK ("members"."role" in ('worker', 'peer', 'admin'));--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_locale_check" CHECK ("members"."locale" in ('fr', 'en'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_recipient_kind_check" CHECK ("outbox"."recipient_kind" in ('member', 'request', 'group', 'subscriber'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_method_check" CHECK ("outbox"."method" in ('sendMessage', 'copyMessage', 'sendPhoto', 'sendVoice', 'editMessageText', 'editMessageReplyMarkup'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_status_check" CHECK ("outbox"."status" in ('pending', 'sent', 'failed', 'unreachable'));--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_kind_check" CHECK ("places"."kind" in ('neighbourhood', 'metro'));--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_status_check" CHECK ("referrals"."status" in ('asked', 'accepted', 'declined', 'stale'));--> statement-breakpoint
ALTER TABLE "request_messages" ADD CONSTRAINT "request_messages_author_check" CHECK ("request_messages"."author" in ('person', 'worker', 'system'));--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_locale_check" CHECK ("requests"."locale" in ('fr', 'en'));--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_category_check" CHECK ("requests"."category" in ('material', 'health', 'housing', 'treatment', 'testing', 'legal', 'food', 'talk', 'other', 'backup'));--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_answer_mode_check" CHECK ("requests"."answer_mode" in ('chat', 'meet', 'come_by', 'none'));--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_status_check" CHECK ("requests"."status" in ('open', 'claimed', 'closed', 'withdrawn', 'expired'));