import { hsdsId } from "./ids";
import type { MappingResult } from "./import";
import type { PercheProfile } from "./profile";
import type { HsdsDocument } from "./schema";

/**
 * A file Perche wrote: the profile holds what HSDS cannot say, HSDS the rest (phones, addresses,
 * coordinates, languages, websites, check dates), so an edit another system made to those reaches
 * the directory. Records the profile does not list are reported, not imported.
 */
export function fromProfile(document: HsdsDocument, profile: PercheProfile): MappingResult {
  const errors: string[] = [];
  const report: string[] = [];
  const byId = <T extends { id: string }>(records: T[]) => new Map(records.map((r) => [r.id, r]));
  const organizations = byId(document.organization);
  const services = byId(document.service);
  const locations = byId(document.location);
  const addresses = document.address;

  const percheOrganisation = new Map<string, string>();
  const organisations = profile.organizations.map((entry, index) => {
    const id = hsdsId("organization", entry.id);
    const record = organizations.get(id);
    if (!record) {
      errors.push(
        `perche.organizations[${index}]: no organization has the id ${id} (organisation ${entry.id})`,
      );
      return entry;
    }
    percheOrganisation.set(id, entry.id);
    const phone = document.phone.find(
      (p) => p.organization_id === id && !p.service_id && !p.location_id && !p.service_at_location_id,
    );
    return {
      ...entry,
      ...(record.website ? { website: record.website } : {}),
      ...(phone ? { phone: phone.number } : {}),
    };
  });

  const sites = profile.sites.map((entry, index) => {
    const { stock_outs: stockOuts, ...site } = entry;
    const where = `perche.sites[${index}]`;
    const serviceId = hsdsId("service", entry.id);
    const locationId = hsdsId("location", entry.id);
    const linkId = hsdsId("service_at_location", entry.id);
    const service = services.get(serviceId);
    if (!service) {
      errors.push(`${where}: no service has the id ${serviceId} (site ${entry.id})`);
      return site;
    }
    const organisation = percheOrganisation.get(service.organization_id);
    if (!organisation)
      errors.push(
        `service[${document.service.indexOf(service)}].organization_id: ${service.organization_id} is not an organisation of the Perche profile`,
      );
    if (stockOuts?.length)
      report.push(
        `site ${entry.id}: stock_outs: not imported; the database keeps the stock-outs workers reported`,
      );
    const location = locations.get(locationId);
    const phone = document.phone.find(
      (p) =>
        p.service_id === serviceId || p.service_at_location_id === linkId || p.location_id === locationId,
    );
    const address = addresses.find((a) => a.location_id === locationId);
    const languages = document.language
      .filter((l) => l.service_id === serviceId)
      .map((l) => l.code ?? l.name);
    return {
      ...site,
      organisation,
      ...(phone ? { phone: phone.number } : {}),
      ...(address ? { address: address.address_1 } : {}),
      ...(location?.latitude !== undefined && location.longitude !== undefined
        ? { location: { lat: location.latitude, lon: location.longitude } }
        : {}),
      languages,
      verified_on: service.assured_date,
    };
  });
  if (errors.length) return { errors };

  const listedServices = new Set(profile.sites.map((s) => hsdsId("service", s.id)));
  for (const service of document.service)
    if (!listedServices.has(service.id))
      report.push(`service "${service.name}" (${service.id}): not in the Perche profile, not imported`);
  for (const organization of document.organization)
    if (!percheOrganisation.has(organization.id))
      report.push(
        `organization "${organization.name}" (${organization.id}): not in the Perche profile, not imported`,
      );

  return {
    file: {
      meta: profile.meta,
      cheque_days: profile.cheque_days,
      materials: profile.materials,
      places: profile.places,
      organisations,
      sites,
      vocabulary: profile.vocabulary,
    },
    report,
  };
}
