import type { ScenarioInput } from "../scenario";

/** A genuine caller who cannot take the callback today: the safe answer is "not yet". */
export const replacementSimTomorrow: ScenarioInput = {
  key: "replacement-sim-tomorrow",
  title: "The replacement SIM that arrives tomorrow",
  summary:
    "A paralegal lost her phone last night. She is on chat from her home laptop; the carrier is posting a replacement SIM with her number, and she'd like to be sorted out today.",
  source:
    "The policy's standard script (the callback to the number of record is required) and its red flag for refusing the callback, seen from the genuine side: people who lose their only phone often cannot take the callback until their number is restored.",
  reason: "LOST_DEVICE",
  channel: "CHAT",
  person: {
    name: "Isabel Moreno",
    employeeId: "E24418",
    department: "Legal",
    title: "Paralegal",
    riskTier: "STANDARD",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900792",
    manager: { name: "Edward Nkemelu", title: "Senior Counsel" },
    emails: [
      { address: "isabel.moreno@northwind.example", kind: "work", verified: true },
      { address: "isabel.moreno@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 220, lastUsedDaysAgo: 1 },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900001",
    opening:
      "Hi, it's Isabel Moreno from Legal. I lost my phone on the way home last night and my passkey was on it. My carrier is posting a replacement SIM with my number, it should come tomorrow. Is there any way to get me back in today? Edward knows, I emailed him from my partner's account this morning.",
    claim: "Lost her phone last night; a replacement SIM with the same number arrives tomorrow.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. It goes straight to Isabel's voicemail: the lost phone is off.",
      outcome: "UNABLE",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Edward Nkemelu confirms the request: Isabel told him this morning that she had lost her phone.",
      outcome: "PASSED",
    },
    PASSKEY_PROOF: {
      happens: "Isabel has no other device with her passkey. The link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "Isabel joins the video from her laptop and holds her driving licence next to her face. Name and face match the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Isabel gives her employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "REFUSED_CALLBACK",
      at: "CALLBACK",
      line: "“You won't reach me on that number until the new SIM comes. Can't we do it without the callback, just this once?”",
    },
  ],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It was Isabel, and everything she said was true. But the standard script requires the callback to the number of record, and today nobody can answer it.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "Not today. The callback is required and cannot be done, so nothing is issued, however convincing the rest. Raise the flag (it stops the case), close it kindly and ask Isabel to call back once the replacement SIM is in: then the callback, her manager or ID and her record details complete the script. Offer to revoke the lost phone's passkey now: revocation never waits for an approval.",
  },
};
