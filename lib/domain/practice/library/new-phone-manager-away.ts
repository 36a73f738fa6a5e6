import type { ScenarioInput } from "../scenario";

/** A genuine caller whose manager really is on leave: another step of the group, never another address. */
export const newPhoneManagerAway: ScenarioInput = {
  key: "new-phone-manager-away",
  title: "The new phone while the manager is on leave",
  summary:
    "A buyer upgraded his phone at the weekend; the passkey on the old one was not synced. His manager is on leave for a fortnight.",
  source:
    "The policy's standard script, whose second factor is one of a remaining passkey, the manager or photo ID; the counterpart of the “my manager is on leave” pretext from public accounts of help-desk attacks.",
  reason: "REPLACED_DEVICE",
  channel: "PHONE",
  person: {
    name: "Samir Haddad",
    employeeId: "E25903",
    department: "Procurement",
    title: "Category Buyer",
    riskTier: "STANDARD",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900319",
    manager: { name: "Joanna Kerr", title: "Procurement Manager" },
    emails: [
      { address: "samir.haddad@northwind.example", kind: "work", verified: true },
      { address: "samir.haddad@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      {
        model: "Android work profile (device-bound)",
        synced: false,
        addedDaysAgo: 540,
        lastUsedDaysAgo: 3,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900319",
    opening:
      "Hi, Samir Haddad in Procurement. I upgraded my phone on Saturday and moved my number across, but the passkey was in the old phone's work profile and didn't come with it. Joanna's away for two weeks, so I don't know who can vouch for me. What do you need?",
    claim:
      "Upgraded his phone, same number; the passkey did not move across; his manager is on leave.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Samir answers on the new phone and confirms he asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "The request goes to Joanna Kerr's address of record. Her out-of-office reply says she is on leave; nobody answers the link.",
      outcome: "NO_ANSWER",
    },
    PASSKEY_PROOF: {
      happens: "Samir has no other passkey. The link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "Samir joins the video and holds his passport next to his face. Name and face match the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Samir gives his employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It was Samir. His manager really is on leave, and he did not ask for the confirmation to go anywhere else.",
  },
  safe: {
    outcome: "recover",
    explanation:
      "The standard script needs one of a remaining passkey, the manager or photo ID: with the manager away, photo ID on video completes it together with the callback and record details. A manager on leave is a reason to use another step the script offers, never to send a link to another person or address.",
  },
};
