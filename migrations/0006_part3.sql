CREATE TABLE "alert_subscribers" (
	"id" serial PRIMARY KEY NOT NULL,
	"pseudonym" text NOT NULL,
	"chat_id_enc" text NOT NULL,
	"locale" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_subscribers_pseudonym_unique" UNIQUE("pseudonym")
);
--> statement-breakpoint
CREATE TABLE "alert_subscriptions" (
	"subscriber_id" integer NOT NULL,
	"place_id" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_subscriptions_area" UNIQUE NULLS NOT DISTINCT("subscriber_id","place_id")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"organisation_id" text NOT NULL,
	"author_member_id" integer,
	"place_id" text,
	"text_fr" text NOT NULL,
	"text_en" text NOT NULL,
	"recipient_count" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"reported_at" timestamp with time zone,
	CONSTRAINT "alerts_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "directory_changes" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"member_id" integer,
	"member_alias" text NOT NULL,
	"organisation_id" text NOT NULL,
	"site_id" text NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"undone_at" timestamp with time zone,
	"undone_by_member_id" integer
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"from_organisation_id" text NOT NULL,
	"to_organisation_id" text NOT NULL,
	"from_member_id" integer,
	"status" text DEFAULT 'asked' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "site_day_overrides" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"hours" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "site_day_overrides_site_id_day_pk" PRIMARY KEY("site_id","day")
);
--> statement-breakpoint
CREATE TABLE "site_notes" (
	"site_id" text PRIMARY KEY NOT NULL,
	"text_fr" text NOT NULL,
	"text_en" text NOT NULL,
	"posted_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stat_counters" (
	"day" date NOT NULL,
	"metric" text NOT NULL,
	"key" text NOT NULL,
	"organisation_id" text DEFAULT '' NOT NULL,
	"value" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stat_counters_day_metric_key_organisation_id_pk" PRIMARY KEY("day","metric","key","organisation_id")
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "alert_id" integer;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "relayed_by_member_id" integer;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "relayed_via" text;--> statement-breakpoint
ALTER TABLE "alert_subscriptions" ADD CONSTRAINT "alert_subscriptions_subscriber_id_alert_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."alert_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_author_member_id_members_id_fk" FOREIGN KEY ("author_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_changes" ADD CONSTRAINT "directory_changes_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_changes" ADD CONSTRAINT "directory_changes_undone_by_member_id_members_id_fk" FOREIGN KEY ("undone_by_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_from_member_id_members_id_fk" FOREIGN KEY ("from_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_subscriptions_place_id_index" ON "alert_subscriptions" USING btree ("place_id");--> statement-breakpoint
CREATE INDEX "directory_changes_organisation_id_at_index" ON "directory_changes" USING btree ("organisation_id","at");--> statement-breakpoint
CREATE INDEX "directory_changes_site_id_target_index" ON "directory_changes" USING btree ("site_id","target");--> statement-breakpoint
CREATE INDEX "referrals_request_id_index" ON "referrals" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_one_asked" ON "referrals" USING btree ("request_id") WHERE "referrals"."status" = 'asked';--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_relayed_by_member_id_members_id_fk" FOREIGN KEY ("relayed_by_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbox_alert_id_status_index" ON "outbox" USING btree ("alert_id","status");