ALTER TABLE "update_claims" ADD COLUMN "person" text;--> statement-breakpoint
CREATE INDEX "update_claims_in_hand" ON "update_claims" USING btree ("person") WHERE "update_claims"."done_at" is null;