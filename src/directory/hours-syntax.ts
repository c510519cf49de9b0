import OpeningHours from "opening_hours";

export type Region = { countryCode: string; region: string; lat: number; lon: number };

/** Quebec holidays (`PH`) only work with the region spelled exactly `Quebec`. */
export const MONTREAL_REGION: Region = { countryCode: "ca", region: "Quebec", lat: 45.5, lon: -73.57 };

export function parseOpeningHours(value: string, region: Region = MONTREAL_REGION): OpeningHours {
  return new OpeningHours(
    value,
    { lat: region.lat, lon: region.lon, address: { country_code: region.countryCode, state: region.region } },
    { mode: 0, tag_key: undefined, map_value: undefined, warnings_severity: 4, locale: "en" },
  );
}

/** Returns the library's own message for an invalid value, or undefined when the value is valid. */
export function checkOpeningHours(value: string, region?: Region): string | undefined {
  try {
    parseOpeningHours(value, region);
    return undefined;
  } catch (error) {
    return String(error instanceof Error ? error.message : error)
      .replace(/\s+/g, " ")
      .trim();
  }
}
