import type { ScenarioInput } from "../scenario";

/** The 2023 casino-resort intrusions: a ten-minute call, an administrator's name from LinkedIn. */
export const urgentAdminNewNumber: ScenarioInput = {
  key: "urgent-admin-new-number",
  title: "The administrator on a new phone",
  summary:
    "A cloud administrator lost their phone at a conference and needs back in before a production change window.",
  source:
    "Public accounts of the 2023 intrusions at two casino-resort groups, where callers posing as employees found on LinkedIn asked the help desk to reset MFA for administrators; the policy's red flags for pressure and new contact details.",
  reason: "LOST_DEVICE",
  channel: "PHONE",
  person: {
    name: "Marcus Feld",
    employeeId: "E40211",
    department: "Cloud Platform",
    title: "Senior Cloud Administrator",
    riskTier: "PRIVILEGED",
    status: "ACTIVE",
    phoneOfRecord: "+44 20 7946 0311",
    manager: { name: "Hannah Ruiz", title: "Head of Cloud Platform" },
    emails: [{ address: "marcus.feld@northwind.example", kind: "work", verified: true }],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 210, lastUsedDaysAgo: 1 },
      { model: "YubiKey 5 NFC", synced: false, addedDaysAgo: 400, lastUsedDaysAgo: 35 },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900482",
    opening:
      "Hi, it's Marcus Feld from Cloud Platform. I'm at the airport, my phone was stolen at the conference and I have a production change in forty minutes. Hannah's going to kill me. Can you just send a code to my new number? It's the one I'm calling from.",
    claim: "Phone stolen at a conference; asks for a code to the number he is calling from.",
    offeredContact: { kind: "OFFERED_PHONE", value: "+44 7700 900482" },
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Marcus answers from his desk: he has his phone, is not travelling, and did not call the help desk.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens: "Hannah Ruiz answers the request: she is with Marcus, and he did not ask for this.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Marcus's passkeys: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "The caller says the video link won't work at the airport and asks you to skip it just this once.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The caller gives the employee ID, department and manager's name correctly (all on his public profile or in a leaked org chart).",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "PRESSURE",
      at: "opening",
      line: "“I have a production change in forty minutes. Hannah's going to kill me.”",
    },
    {
      flag: "NEW_CONTACT_REQUEST",
      at: "opening",
      line: "“Can you just send a code to my new number? It's the one I'm calling from.”",
    },
    {
      flag: "REFUSED_CALLBACK",
      at: "CALLBACK",
      line: "“Don't call the old number, the thief has that phone. Call me on this one.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["urgent-executive", "new-number", "travelling"],
    explanation:
      "The caller was an attacker who found Marcus on a professional networking site. The employee details were public; what he could not do was answer Marcus's phone of record, and Marcus (at his desk) said he had not called.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "Never send anything to a number the caller gives. Raise the red flags (new number, pressure), call back only the number of record, and stop: the case is voided and security told.",
  },
};
