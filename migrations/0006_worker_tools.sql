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
ALTER TABLE "directory_changes" ADD CONSTRAINT "directory_changes_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_changes" ADD CONSTRAINT "directory_changes_undone_by_member_id_members_id_fk" FOREIGN KEY ("undone_by_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_changes_organisation_id_at_index" ON "directory_changes" USING btree ("organisation_id","at");--> statement-breakpoint
CREATE INDEX "directory_changes_site_id_target_index" ON "directory_changes" USING btree ("site_id","target");