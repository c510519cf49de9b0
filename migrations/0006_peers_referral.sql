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
ALTER TABLE "requests" ADD COLUMN "relayed_by_member_id" integer;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "relayed_via" text;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_from_member_id_members_id_fk" FOREIGN KEY ("from_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "referrals_request_id_index" ON "referrals" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_one_asked" ON "referrals" USING btree ("request_id") WHERE "referrals"."status" = 'asked';--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_relayed_by_member_id_members_id_fk" FOREIGN KEY ("relayed_by_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;