import { createHash } from "node:crypto";

/**
 * HSDS wants every record to carry a unique id, and shows UUIDs. Ours are name-based (RFC 4122
 * version 5: SHA-1 of a fixed namespace and a name), so the same directory exported twice gives the
 * same ids, and a system that stored our records last month finds them again.
 */

// Fixed for ever: changing it would give every exported record a new id.
const PERCHE_NAMESPACE = "5b7c2d4e-8f1a-4c3b-9e6d-0a1b2c3d4e5f";

export type HsdsKind =
  | "organization"
  | "service"
  | "location"
  | "service_at_location"
  | "schedule"
  | "phone"
  | "language"
  | "address"
  | "taxonomy"
  | "taxonomy_term"
  | "attribute";

/** The HSDS id of a Perche record: `hsdsId("service", "day-site")`. */
export function hsdsId(kind: HsdsKind, name: string): string {
  const namespace = Buffer.from(PERCHE_NAMESPACE.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(namespace).update(`${kind}:${name}`, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
