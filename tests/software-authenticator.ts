/**
 * A software passkey for integration tests: a real P-256 key, "none" attestation, real
 * signatures over real client data, so @simplewebauthn/server verifies it exactly as it verifies
 * a browser's. Options let a test drop user verification, replay, or clone with a stale counter.
 * (Browser tests use Chromium's virtual authenticator instead.)
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const ORIGIN = "http://localhost:3000";
const RP_ID = "localhost";
const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

function uint32(n: number) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export type SoftwarePasskey = ReturnType<typeof softwarePasskey>;

export function softwarePasskey(
  options: {
    userVerified?: boolean;
    key?: { privateKey: KeyObject; publicKey: KeyObject };
    credentialId?: Buffer;
    counter?: number;
    /** The authenticator's AAGUID (a security key's model); zeros unless given. */
    aaguid?: string;
  } = {},
) {
  const { privateKey, publicKey } =
    options.key ?? generateKeyPairSync("ec", { namedCurve: "P-256" });
  const credentialId = options.credentialId ?? randomBytes(32);
  const state = { counter: options.counter ?? 0 };
  const flags = (extra: number) => 0x01 | (options.userVerified === false ? 0 : 0x04) | extra;

  const clientData = (type: string, challenge: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin: ORIGIN, crossOrigin: false }));

  return {
    id: b64(credentialId),
    /** Answers registration options (as the browser's startRegistration would). */
    register(challenge: string): RegistrationResponseJSON {
      const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string };
      const cose = new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x, "base64url")],
        [-3, Buffer.from(jwk.y, "base64url")],
      ]);
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([
        sha256(RP_ID),
        Buffer.from([flags(0x40)]),
        uint32(state.counter),
        options.aaguid ? Buffer.from(options.aaguid.replaceAll("-", ""), "hex") : Buffer.alloc(16),
        idLength,
        credentialId,
        Buffer.from(isoCBOR.encode(cose)),
      ]);
      const attestationObject = isoCBOR.encode(
        new Map<string, unknown>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]) as never,
      );
      return {
        id: b64(credentialId),
        rawId: b64(credentialId),
        type: "public-key",
        response: {
          clientDataJSON: b64(clientData("webauthn.create", challenge)),
          attestationObject: b64(attestationObject),
          transports: ["internal"],
        },
        clientExtensionResults: {},
      };
    },
    /** Answers authentication options, signing with the next counter value. */
    authenticate(challenge: string, userHandle?: Uint8Array): AuthenticationResponseJSON {
      state.counter += 1;
      const authenticatorData = Buffer.concat([
        sha256(RP_ID),
        Buffer.from([flags(0)]),
        uint32(state.counter),
      ]);
      const clientDataJSON = clientData("webauthn.get", challenge);
      const signature = sign(
        "sha256",
        Buffer.concat([authenticatorData, sha256(clientDataJSON)]),
        privateKey,
      );
      return {
        id: b64(credentialId),
        rawId: b64(credentialId),
        type: "public-key",
        response: {
          clientDataJSON: b64(clientDataJSON),
          authenticatorData: b64(authenticatorData),
          signature: b64(signature),
          ...(userHandle ? { userHandle: b64(userHandle) } : {}),
        },
        clientExtensionResults: {},
      };
    },
    /**
     * The same key and credential at the current counter (an attacker's copy), optionally on an
     * authenticator that behaves differently (e.g. does not verify the user).
     */
    clone(overrides: { userVerified?: boolean } = {}) {
      return softwarePasskey({
        ...options,
        ...overrides,
        key: { privateKey, publicKey },
        credentialId,
        counter: state.counter,
      });
    },
  };
}
