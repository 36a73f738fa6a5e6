/**
 * Authenticator models by AAGUID, so an agent can tell which passkey the caller lost
 * ("the YubiKey, last used Tuesday") rather than guessing among opaque IDs. A subset of the
 * community-maintained passkey AAGUID list; unknown AAGUIDs show as "Unknown authenticator".
 */
export type AuthenticatorModel = { aaguid: string; name: string; synced: boolean };

export const AUTHENTICATOR_MODELS: readonly AuthenticatorModel[] = [
  { aaguid: "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", name: "Google Password Manager", synced: true },
  { aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", name: "iCloud Keychain", synced: true },
  { aaguid: "bada5566-a7aa-401f-bd96-45619a55120d", name: "1Password", synced: true },
  { aaguid: "d548826e-79b4-db40-a3d8-11116f7e8349", name: "Bitwarden", synced: true },
  { aaguid: "53414d53-554e-4700-0000-000000000000", name: "Samsung Pass", synced: true },
  { aaguid: "08987058-cadc-4b81-b6e1-30de50dcbe96", name: "Windows Hello", synced: false },
  { aaguid: "cb69481e-8ff7-4039-93ec-0a2729a154a8", name: "YubiKey 5 Series", synced: false },
  {
    aaguid: "ee882879-721c-4913-9775-3dfcce97072a",
    name: "YubiKey 5 Series with NFC",
    synced: false,
  },
  { aaguid: "adce0002-35bc-c60a-648b-0b25f1f05503", name: "Chrome on Mac", synced: false },
];

const byAaguid = new Map(AUTHENTICATOR_MODELS.map((model) => [model.aaguid, model]));

export function modelNameForAaguid(aaguid: string): string | null {
  return byAaguid.get(aaguid.toLowerCase())?.name ?? null;
}

/**
 * How the desk names a passkey: its model, and the name its owner gave it on /account (decision
 * 036) in quotes, so a caller who says "my blue key" can be matched to the right row. The name is
 * the owner's own words, shown as a quotation, never as something the console asserts.
 */
export function passkeyLabel(passkey: { nickname?: string | null; modelName: string | null }) {
  const model = passkey.modelName ?? "Unknown authenticator";
  return passkey.nickname ? `“${passkey.nickname}” (${model})` : model;
}
