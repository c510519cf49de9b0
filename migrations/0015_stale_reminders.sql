CREATE TABLE "stale_reminders" (
	"member_id" integer PRIMARY KEY NOT NULL,
	"every_weeks" integer DEFAULT 1 NOT NULL,
	"weekday" integer DEFAULT 1 NOT NULL,
	"at_minute" integer DEFAULT 600 NOT NULL,
	"handled_until" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "stale_reminders_every_weeks_check" CHECK ("stale_reminders"."every_weeks" in (0, 1, 2, 4)),
	CONSTRAINT "stale_reminders_weekday_check" CHECK ("stale_reminders"."weekday" between 1 and 7),
	CONSTRAINT "stale_reminders_at_minute_check" CHECK ("stale_reminders"."at_minute" between 0 and 1439)
);
--> statement-breakpoint
ALTER TABLE "directory_info" ADD COLUMN "stale_after_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "stale_reminders" ADD CONSTRAINT "stale_reminders_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;