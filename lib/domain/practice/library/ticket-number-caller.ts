import type { ScenarioInput } from "../scenario";

/** A caller who knows the desk's tickets, names and routine (Scattered Spider's reconnaissance). */
export const ticketNumberCaller: ScenarioInput = {
  key: "ticket-number-caller",
  title: "The engineer with a ticket number",
  summary:
    "A database administrator with a new phone quotes an earlier ticket, names an agent on the desk and says the callback alone was enough last time.",
  source:
    "Public accounts of the 2023-2025 help-desk campaigns (Scattered Spider / UNC3944 and the UK retail intrusions), whose callers studied the target's help-desk process, ticket formats and staff names first; Lapsus$'s use of insiders' knowledge; the policy's red flag for mismatching details.",
  reason: "REPLACED_DEVICE",
  channel: "PHONE",
  person: {
    name: "Jonas Lindqvist",
    employeeId: "E52106",
    department: "Data Platform",
    title: "Lead Database Administrator",
    riskTier: "PRIVILEGED",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900551",
    manager: { name: "Fatima Haddad", title: "Director of Data Platform" },
    emails: [{ address: "jonas.lindqvist@northwind.example", kind: "work", verified: true }],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 340, lastUsedDaysAgo: 1 },
    ],
    recentChanges: [{ field: "MANAGER", daysAgo: 30 }],
  },
  call: {
    callerId: "+44 20 7946 0733",
    opening:
      "Hi, it's Jonas Lindqvist, DBA in Data Platform. Same as ticket INC-48812 last month: new phone, passkey didn't sync. Dev on your desk sorted it in five minutes, he just did the callback and pushed the link. I'm on call for the replication cut-over, so if you could do the same that'd be great.",
    claim: "New phone; the passkey did not sync; refers to an earlier ticket.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Jonas answers: he has the same phone as always, can sign in, and has not called. He had a ticket last month, about a printer.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Fatima Haddad, the manager of record since last month's reorganisation, denies the request: Jonas is in the team meeting she is running.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Jonas's passkey: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens: "The caller says he is driving to the data centre and cannot do video.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The caller gives the right employee ID and department but names his manager as Graham Pike, who managed the team until last month's reorganisation.",
      outcome: "FAILED",
    },
  },
  cues: [
    {
      flag: "OTHER",
      at: "opening",
      line: "“Dev on your desk sorted it in five minutes, he just did the callback and pushed the link.”",
    },
    {
      flag: "DETAILS_MISMATCH",
      at: "EMPLOYEE_RECORD",
      line: "“My manager? Graham Pike.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["help-desk-familiarity", "insider-knowledge"],
    explanation:
      "The attacker had the ticket format and an agent's first name from an earlier call to the desk, and Jonas's details from a professional networking profile that still showed his old manager. The steer towards “just the callback” was meant to skip the steps he could not pass.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A privileged recovery always needs the callback, the manager and photo ID, whatever was done on an earlier ticket: the script, not the caller, decides the steps. The wrong manager's name stops the case (do not say which detail was wrong), and the callback and the manager both fail.",
  },
};
