import type { NewRequest } from "../../src/features/requests/queries";
import type { Sealer } from "../../src/privacy/sealed";

/**
 * A request as the flow would send it, for database tests: in French, about housing, answered in the
 * chat, with no place; `fields` names the rest.
 */
export function requestDraft(
  sealer: Sealer,
  fields: Pick<NewRequest, "id" | "organisationId" | "createdAt"> & Partial<NewRequest>,
): NewRequest {
  return {
    personPseudonym: `p-${fields.id}`,
    chatIdEnc: sealer.seal("4242"),
    nickname: { animal: "heron", colour: "blue" },
    locale: "fr",
    category: "housing",
    answerMode: "chat",
    meetSiteId: null,
    areaPlaceId: null,
    message: null,
    sourceUpdateId: null,
    ...fields,
  };
}
