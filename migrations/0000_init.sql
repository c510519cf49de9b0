CREATE TABLE "cheque_days" (
	"day" date PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_info" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"is_example" boolean NOT NULL,
	"timezone" text NOT NULL,
	"country_code" text NOT NULL,
	"region" text NOT NULL,
	"emergency_number" text NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "language_choices" (
	"pseudonym" text PRIMARY KEY NOT NULL,
	"locale" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "materials" (
	"id" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"label_fr" text NOT NULL,
	"label_en" text NOT NULL,
	"words" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" text PRIMARY KEY NOT NULL,
	"name_fr" text NOT NULL,
	"name_en" text NOT NULL,
	"phone" text,
	"website" text
);
--> statement-breakpoint
CREATE TABLE "places" (
	"id" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"name_fr" text NOT NULL,
	"name_en" text NOT NULL,
	"lat" double precision NOT NULL,
	"lon" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "site_materials" (
	"site_id" text NOT NULL,
	"material_id" text NOT NULL,
	CONSTRAINT "site_materials_site_id_material_id_pk" PRIMARY KEY("site_id","material_id")
);
--> statement-breakpoint
CREATE TABLE "site_special_dates" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"hours" text NOT NULL,
	"note_fr" text,
	"note_en" text,
	CONSTRAINT "site_special_dates_site_id_day_pk" PRIMARY KEY("site_id","day")
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"type" text NOT NULL,
	"name_fr" text NOT NULL,
	"name_en" text NOT NULL,
	"address" text,
	"neighbourhood" text,
	"lat" double precision,
	"lon" double precision,
	"stops" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"phone" text,
	"hours" text NOT NULL,
	"cheque_day_hours" text,
	"languages" text[] NOT NULL,
	"services" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note_fr" text,
	"note_en" text,
	"is_crisis_line" boolean DEFAULT false NOT NULL,
	"verified_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_outs" (
	"site_id" text NOT NULL,
	"material_id" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "stock_outs_site_id_material_id_pk" PRIMARY KEY("site_id","material_id")
);
--> statement-breakpoint
ALTER TABLE "site_materials" ADD CONSTRAINT "site_materials_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_materials" ADD CONSTRAINT "site_materials_material_id_materials_id_fk" FOREIGN KEY ("material_id") REFERENCES "public"."materials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_special_dates" ADD CONSTRAINT "site_special_dates_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "site_materials_material_id_index" ON "site_materials" USING btree ("material_id");--> statement-breakpoint
CREATE INDEX "sites_organisation_id_index" ON "sites" USING btree ("organisation_id");