import type { ScenarioInput } from "../scenario";

/** A video call that freezes at the wrong moments: "you can see me, isn't that enough?" */
export const hotelWifiVideo: ScenarioInput = {
  key: "hotel-wifi-video",
  title: "The administrator abroad on video",
  summary:
    "A security administrator on a trip abroad thinks their account was compromised and wants new passkeys. They join by video from a hotel and can't take a phone call.",
  source:
    "Public accounts of help-desk attacks by callers claiming to be travelling and unreachable on their usual number, and of impersonation over low-quality or manipulated video; the policy's red flag for refusing the callback.",
  reason: "SUSPECTED_COMPROMISE",
  channel: "VIDEO",
  person: {
    name: "Amir Rahimi",
    employeeId: "E48830",
    department: "Information Security",
    title: "Identity Platform Administrator",
    riskTier: "PRIVILEGED",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900862",
    manager: { name: "Grete Solberg", title: "Chief Information Security Officer" },
    emails: [
      { address: "amir.rahimi@northwind.example", kind: "work", verified: true },
      { address: "amir.r@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      { model: "YubiKey 5 NFC", synced: false, addedDaysAgo: 700, lastUsedDaysAgo: 3 },
      {
        model: "Pixel 7 (Google Password Manager)",
        synced: true,
        addedDaysAgo: 250,
        lastUsedDaysAgo: 3,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900999",
    opening:
      "Hi, Amir Rahimi, identity platform. I'm in Singapore for a vendor meeting and I think my account's been compromised: I had sign-in prompts I didn't make at 3 am. I want every passkey revoked and a new one set up now. Roaming's off so I'm only on hotel wifi, no calls, but you can see me, so let's do it on video.",
    claim: "Travelling abroad; suspects his account is compromised; wants his passkeys replaced.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. It rings out to Amir's voicemail greeting; nobody answers.",
      outcome: "UNABLE",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Grete Solberg denies the request: Amir is on annual leave at home this week, not on a vendor trip, and she has just messaged him.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Amir's passkeys: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "The video is grainy and freezes each time you ask the caller to turn their head or bring the passport next to their face. The passport page shows Amir's name, but the face on camera does not match the HR photo when the picture clears.",
      outcome: "FAILED",
    },
    EMPLOYEE_RECORD: {
      happens: "The caller gives the employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "REFUSED_CALLBACK",
      at: "CALLBACK",
      line: "“There's no point calling my mobile, roaming's off. I'm right here on video.”",
    },
    {
      flag: "OTHER",
      at: "ID_DOCUMENT",
      line: "“Sorry, the hotel wifi keeps freezing. Can you just go by the passport?”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["travelling", "cannot-take-callback"],
    explanation:
      "The attacker had Amir's password from an old breach and had been sending him sign-in prompts; when those failed, they called the desk. The trip was invented, the video was kept poor on purpose, and the passport was a copy. His manager knew he was at home.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "Refusing the callback stops a recovery, however good the video looks, and the manager's denial and the failed ID stop it too. Do not revoke on this caller's word either: tell security that someone is impersonating an identity administrator, so they can reach Amir through his records and protect his account.",
  },
};
