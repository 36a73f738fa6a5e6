import { describe, expect, it } from "vitest";
import { modelNameForAaguid, passkeyLabel } from "./authenticator-models";

describe("how the desk names a passkey", () => {
  it("quotes the owner's name before the model, so a caller's words match a row", () => {
    expect(passkeyLabel({ nickname: "Blue key", modelName: "YubiKey 5 NFC" })).toBe(
      "“Blue key” (YubiKey 5 NFC)",
    );
  });

  it("is the model alone when the owner named nothing, and says so when the model is unknown", () => {
    expect(passkeyLabel({ nickname: null, modelName: "iCloud Keychain" })).toBe("iCloud Keychain");
    expect(passkeyLabel({ modelName: null })).toBe("Unknown authenticator");
    expect(passkeyLabel({ nickname: "Work phone", modelName: null })).toBe(
      "“Work phone” (Unknown authenticator)",
    );
  });

  it("finds a model by AAGUID whatever its case, and nothing for an unknown one", () => {
    expect(modelNameForAaguid("ADCE0002-35BC-C60A-648B-0B25F1F05503")).toBe("Chrome on Mac");
    expect(modelNameForAaguid("00000000-0000-0000-0000-000000000000")).toBeNull();
  });
});
