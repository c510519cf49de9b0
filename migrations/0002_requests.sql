CREATE TABLE "request_messages" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"author" text NOT NULL,
	"member_id" integer,
	"body_enc" text NOT NULL,
	"source_update_id" integer,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_notices" (
	"request_id" text NOT NULL,
	"member_id" integer NOT NULL,
	"message_id" integer NOT NULL,
	CONSTRAINT "request_notices_member_id_message_id_pk" PRIMARY KEY("member_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "requests" (
	"id" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"person_pseudonym" text NOT NULL,
	"chat_id_enc" text,
	"nickname_animal" text NOT NULL,
	"nickname_colour" text NOT NULL,
	"locale" text NOT NULL,
	"category" text NOT NULL,
	"answer_mode" text NOT NULL,
	"meet_site_id" text,
	"area_place_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"claimed_by_member_id" integer,
	"outcome" text,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"escalation_level" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "focus_request_id" text;--> statement-breakpoint
ALTER TABLE "request_messages" ADD CONSTRAINT "request_messages_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_messages" ADD CONSTRAINT "request_messages_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_notices" ADD CONSTRAINT "request_notices_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_notices" ADD CONSTRAINT "request_notices_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_claimed_by_member_id_members_id_fk" FOREIGN KEY ("claimed_by_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "request_messages_request_id_index" ON "request_messages" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "request_messages_source_update" ON "request_messages" USING btree ("source_update_id");--> statement-breakpoint
CREATE INDEX "request_notices_request_id_index" ON "request_notices" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "requests_person_pseudonym_index" ON "requests" USING btree ("person_pseudonym");--> statement-breakpoint
CREATE INDEX "requests_status_organisation_id_index" ON "requests" USING btree ("status","organisation_id");