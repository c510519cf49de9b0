ALTER TABLE "members" ADD COLUMN "shift_hours" text;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "shift_paused_until" timestamp with time zone;