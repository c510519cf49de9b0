CREATE TABLE "stat_counters" (
	"day" date NOT NULL,
	"metric" text NOT NULL,
	"key" text NOT NULL,
	"organisation_id" text DEFAULT '' NOT NULL,
	"value" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stat_counters_day_metric_key_organisation_id_pk" PRIMARY KEY("day","metric","key","organisation_id")
);
