ALTER TABLE "requests" ADD COLUMN "source_update_id" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "requests_source_update" ON "requests" USING btree ("source_update_id");