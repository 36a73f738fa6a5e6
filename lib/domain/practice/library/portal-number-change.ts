import type { ScenarioInput } from "../scenario";

/** The attacker changed the phone of record first, so the callback rings their phone. */
export const portalNumberChange: ScenarioInput = {
  key: "portal-number-change",
  title: "The contractor who updated her number on Monday",
  summary:
    "A contract data engineer's phone was stolen at the weekend. She updated her number in the HR portal on Monday, so the callback should go to her new phone.",
  source:
    "Public accounts of intrusions in which attackers changed a victim's contact details (in HR or carrier systems) before calling the help desk, so that verification reached them; the recent-record-change fraud signal and the policy's sponsor step for contractors.",
  reason: "STOLEN_DEVICE",
  channel: "PHONE",
  person: {
    name: "Lena Hoffmann",
    employeeId: "C70955",
    department: "Data Engineering",
    title: "Contract Data Engineer (Keystone Talent)",
    riskTier: "CONTRACTOR",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900426",
    manager: { name: "Oluwaseun Adeyemi", title: "Data Engineering Manager" },
    emails: [
      { address: "lena.hoffmann@contractors.northwind.example", kind: "work", verified: true },
    ],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 120, lastUsedDaysAgo: 5 },
    ],
    recentChanges: [{ field: "PHONE", daysAgo: 2 }],
  },
  call: {
    callerId: "+44 7700 900426",
    opening:
      "Hi, Lena Hoffmann, contract data engineer with Keystone, working for Seun in Data Engineering. My phone was stolen on Saturday. I put my new number in the HR portal on Monday, so you'll have it already. I know you'll need to call me back, that's fine, it's the number I'm on now.",
    claim: "Phone stolen on Saturday; says she updated her number in the HR portal on Monday.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record (changed two days ago). The caller answers at once and confirms she asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Oluwaseun Adeyemi, the sponsor of record, denies the request: Lena is in the office today, with her phone, and said nothing about a theft.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Lena's passkey: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens: "The caller says she is at home without a webcam today.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The caller gives the contractor ID, department, agency and sponsor correctly: the kind of details in the HR portal she signed into.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "OTHER",
      at: "opening",
      line: "“I put my new number in the HR portal on Monday, so you'll have it already.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["new-number", "insider-knowledge"],
    explanation:
      "The attacker had Lena's password for the HR self-service portal from a phishing page and changed her phone number there two days before calling. The callback therefore rang the attacker, and the record details came from the portal. Her sponsor, who sat near her, denied it.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A phone of record changed days before a recovery call is weak evidence: the record shows the change, and the desk's fraud signal escalates such calls. The contractor script needs the sponsor as well, and the sponsor's denial stops the case. Tell security the HR record was changed by someone else.",
  },
};
