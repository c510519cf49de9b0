CREATE TABLE "update_claims" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone,
	"person" text
);
--> statement-breakpoint
CREATE INDEX "update_claims_lease" ON "update_claims" USING btree ("lease_until");--> statement-breakpoint
CREATE INDEX "update_claims_in_hand" ON "update_claims" USING btree ("person") WHERE "update_claims"."done_at" is null;