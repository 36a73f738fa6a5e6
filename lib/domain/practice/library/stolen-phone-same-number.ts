import type { ScenarioInput } from "../scenario";

/** The genuine twin of the SIM-swap scenario: the same story, and this time it is true. */
export const stolenPhoneSameNumber: ScenarioInput = {
  key: "stolen-phone-same-number",
  title: "The stolen phone, number restored",
  summary:
    "A clinical trials lead had her phone stolen yesterday; the carrier restored her number on a new SIM this morning. She joins by video from home.",
  source:
    "The policy's high-risk script (callback, manager, photo ID and record, and a supervisor's approval): told from the genuine side of the same story as the SIM-swap scenario, so that the steps, not the story, decide.",
  reason: "STOLEN_DEVICE",
  channel: "VIDEO",
  person: {
    name: "Eleanor Achebe",
    employeeId: "E38215",
    department: "Clinical Research",
    title: "Clinical Trials Lead",
    riskTier: "HIGH_RISK",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900744",
    manager: { name: "Niall Brennan", title: "Director of Clinical Research" },
    emails: [
      { address: "eleanor.achebe@northwind.example", kind: "work", verified: true },
      { address: "e.achebe@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 280, lastUsedDaysAgo: 1 },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 20 7946 0512",
    opening:
      "Hi, Eleanor Achebe, Clinical Research. My phone was stolen from my bag yesterday. The carrier put my number on a new SIM this morning and I've got a spare handset, but my passkey went with the old phone. I'm on video from home on my partner's laptop.",
    claim:
      "Phone stolen yesterday; number restored on a new SIM today; passkey lost with the phone.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Eleanor answers on the spare handset, visibly on the video too, and confirms she asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Niall Brennan confirms the request: Eleanor phoned him from her partner's phone after the theft.",
      outcome: "PASSED",
    },
    PASSKEY_PROOF: {
      happens: "Eleanor has no other passkey. The link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "Eleanor holds her passport next to her face, turns her head when asked, and the picture is clear. Name and face match the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Eleanor gives her employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It was Eleanor. Her story is the same one a SIM-swapper tells; what shows it is true is that her manager confirmed and her face matched her ID.",
  },
  safe: {
    outcome: "recover",
    explanation:
      "Complete the high-risk script: the callback alone proves only the number, the manager and photo ID prove the person. Her tier needs a supervisor's approval for the enrolment link. Revoke the stolen phone's passkey.",
  },
};
