import type { ScenarioInput } from "../scenario";

/** A genuine frontline worker without a phone at work: the shift lead and ID carry the case. */
export const frontlineNoPhone: ScenarioInput = {
  key: "frontline-no-phone",
  title: "The store assistant without a phone",
  summary:
    "A store assistant comes to the site IT desk before her shift: the security key she uses on the store tablets has stopped working. Her phone of record is a home landline.",
  source:
    "The policy's frontline script (the shift lead confirms, plus a callback or photo ID) and decision 007's reasoning for it: frontline staff use shared devices and often have no phone of record within reach at work.",
  reason: "LOCKED_OUT",
  channel: "WALK_IN",
  person: {
    name: "Maria Santos",
    employeeId: "E90527",
    department: "Retail Stores North",
    title: "Store Assistant",
    riskTier: "FRONTLINE",
    status: "ACTIVE",
    phoneOfRecord: "+44 161 496 0318",
    manager: { name: "Kevin Doherty", title: "Shift Lead, Manchester Store" },
    emails: [{ address: "maria.santos@northwind.example", kind: "work", verified: true }],
    passkeys: [{ model: "YubiKey 5 NFC", synced: false, addedDaysAgo: 410, lastUsedDaysAgo: 2 }],
    recentChanges: [],
  },
  call: {
    callerId: "+44 161 496 0000",
    opening:
      "(At the site IT desk, in uniform.) Hi, I'm Maria Santos, I work on the shop floor. My key won't work on the tills or the stock tablets any more, it just blinks and nothing happens. I don't have a mobile, the number you've got is my home phone. Kevin's on shift, he can tell you it's me.",
    claim: "Her security key has stopped working; she has no mobile phone.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record, Maria's home landline. Nobody answers: she is here, at work.",
      outcome: "UNABLE",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Kevin Doherty, the shift lead of record, confirms the request from the store office: Maria showed him the broken key this morning.",
      outcome: "PASSED",
    },
    PASSKEY_PROOF: {
      happens: "Maria has no other passkey. The link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "Maria shows her driving licence at the desk. Name and face match her and the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Maria gives her employee ID, store and shift lead correctly.",
      outcome: "PASSED",
    },
  },
  cues: [],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It was Maria. Her security key had failed. Not having a mobile is normal for frontline staff, which is why their script does not require the callback.",
  },
  safe: {
    outcome: "recover",
    explanation:
      "The frontline script is complete with the shift lead's confirmation, photo ID (checked in person) and her record details; the callback that nobody answers is not needed. No red flag, and frontline is not an approval tier, so the agent may issue a pass without a second person. Revoke the broken key.",
  },
};
