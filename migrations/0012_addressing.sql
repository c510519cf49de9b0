CREATE TABLE "pending_words" (
	"id" serial PRIMARY KEY NOT NULL,
	"member_id" integer NOT NULL,
	"source_update_id" integer NOT NULL,
	"message_id" integer NOT NULL,
	"content_enc" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "focus_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "end_told_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "pending_words" ADD CONSTRAINT "pending_words_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pending_words_source_update" ON "pending_words" USING btree ("source_update_id");--> statement-breakpoint
CREATE INDEX "pending_words_member_id_index" ON "pending_words" USING btree ("member_id");