import type { ScenarioInput } from "../scenario";

/** The genuine executive under pressure: the flag is fair, the person is real. */
export const stressedExecutive: ScenarioInput = {
  key: "stressed-executive",
  title: "The executive who really is in a hurry",
  summary:
    "The Chief Commercial Officer left his laptop bag, with his security key, in a taxi. He has an investor presentation first thing tomorrow and is not pleased to be asked for photo ID.",
  source:
    "The policy's red flag for pressure (escalate, not stop) and its rule that high-risk recoveries need a supervisor's approval; the counterpart of the urgent-executive pretext seen in public accounts of help-desk attacks: real executives are busy too.",
  reason: "LOST_DEVICE",
  channel: "PHONE",
  person: {
    name: "Richard Osei",
    employeeId: "E10031",
    department: "Commercial",
    title: "Chief Commercial Officer",
    riskTier: "HIGH_RISK",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900155",
    manager: { name: "Samuel Ortiz", title: "Chief Executive Officer" },
    emails: [
      { address: "richard.osei@northwind.example", kind: "work", verified: true },
      { address: "r.osei@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      { model: "YubiKey 5C NFC", synced: false, addedDaysAgo: 300, lastUsedDaysAgo: 1 },
      {
        model: "Windows Hello (Surface laptop)",
        synced: false,
        addedDaysAgo: 300,
        lastUsedDaysAgo: 1,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900155",
    opening:
      "Richard Osei. I left my laptop bag in a taxi an hour ago, the security key was on the keyring in it. I'm presenting to investors at nine tomorrow and I need to get into the deck tonight. I don't have time for a long process, so what's the quickest way to do this?",
    claim: "Lost his laptop bag, with laptop and security key, in a taxi; needs access tonight.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Richard answers straight away, audibly irritated, and confirms he asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Samuel Ortiz confirms the request: Richard messaged him about the lost bag from the taxi rank.",
      outcome: "PASSED",
    },
    PASSKEY_PROOF: {
      happens: "Richard has no other passkey: both were in the bag. The link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "After some grumbling Richard joins the video from his kitchen and holds his passport next to his face. Name and face match the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Richard gives his employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "PRESSURE",
      at: "ID_DOCUMENT",
      line: "“Is this really necessary? I'm the CCO, I've got investors at nine. Can't you just skip the video for me?”",
    },
  ],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It really was Richard: he lost the bag, he has the presentation, and he is short of patience. Every check passed once he went through them.",
  },
  safe: {
    outcome: "recover",
    explanation:
      "Pressure is a fair flag even from a genuine caller: raise it, stay polite, and do every step of the high-risk script anyway. The flag escalates: a supervisor who did not work the case approves an enrolment link (his tier needs approval in any case). Revoke the lost security key and laptop passkey.",
  },
};
