ALTER TABLE "organisations" ADD COLUMN "serves" text[];--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "keeps_requests" boolean DEFAULT false NOT NULL;