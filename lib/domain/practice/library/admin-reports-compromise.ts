import type { ScenarioInput } from "../scenario";

/** A genuine privileged compromise report: do all of it, with a second person. */
export const adminReportsCompromise: ScenarioInput = {
  key: "admin-reports-compromise",
  title: "The network engineer whose laptop raised an alert",
  summary:
    "Security found malware on a network engineer's laptop this morning and told her to have her passkeys replaced. She calls on video from the office while the laptop is re-imaged.",
  source:
    "Public incident-response guidance to rotate an administrator's credentials after a device compromise; the policy's privileged script (callback, manager, photo ID, record) and its rule that privileged recoveries need a supervisor's approval.",
  reason: "SUSPECTED_COMPROMISE",
  channel: "VIDEO",
  person: {
    name: "Ingrid Halvorsen",
    employeeId: "E46102",
    department: "Network Engineering",
    title: "Principal Network Engineer",
    riskTier: "PRIVILEGED",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900687",
    manager: { name: "Marco Bianchi", title: "Head of Network Engineering" },
    emails: [
      { address: "ingrid.halvorsen@northwind.example", kind: "work", verified: true },
      { address: "ingrid.h@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      { model: "Windows Hello (ThinkPad)", synced: false, addedDaysAgo: 380, lastUsedDaysAgo: 0 },
      { model: "YubiKey 5 NFC", synced: false, addedDaysAgo: 380, lastUsedDaysAgo: 12 },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 20 7946 0340",
    opening:
      "Hello, Ingrid Halvorsen, network engineering. Security flagged malware on my laptop this morning; they've taken it to re-image and asked me to get my passkeys replaced, the security key too since it was plugged in. I'm on video from a meeting room on the fourth floor.",
    claim: "Security found malware on her laptop and asked her to replace her passkeys.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Ingrid answers from the meeting room and confirms she asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Marco Bianchi confirms the request: he was in the room when security took the laptop.",
      outcome: "PASSED",
    },
    PASSKEY_PROOF: {
      happens:
        "Ingrid declines to use the security key that was plugged into the infected laptop; the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "Ingrid holds her company ID card and passport next to her face on video. Name and face match the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Ingrid gives her employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It was Ingrid, doing exactly what security asked. Her story could be checked at every step, and every step passed.",
  },
  safe: {
    outcome: "recover",
    explanation:
      "Revoke the passkeys on the compromised laptop and the security key first (revocation needs no approval), then complete the privileged script. A privileged recovery always needs a supervisor who did not work the case to approve the enrolment link; no pass is issued.",
  },
};
