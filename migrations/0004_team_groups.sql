CREATE TABLE "group_notices" (
	"request_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"message_id" integer NOT NULL,
	CONSTRAINT "group_notices_request_id_organisation_id_message_id_pk" PRIMARY KEY("request_id","organisation_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "team_groups" (
	"organisation_id" text PRIMARY KEY NOT NULL,
	"chat_id_enc" text NOT NULL,
	"registered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "group_notices" ADD CONSTRAINT "group_notices_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_groups" ADD CONSTRAINT "team_groups_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;