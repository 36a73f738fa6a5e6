import type { ScenarioInput } from "../scenario";

/** A leaver calling: who they are is not in doubt, and the answer is still no. */
export const contractorWhoLeft: ScenarioInput = {
  key: "contractor-who-left",
  title: "The contractor whose contract ended on Friday",
  summary:
    "A contract tester is locked out and needs in for an hour to submit his last timesheet and collect some files.",
  source:
    "The policy's rule that leavers and suspended people are never recovered, only revoked (decision 007), and public accounts of former staff and contractors misusing access they kept after leaving.",
  reason: "LOCKED_OUT",
  channel: "PHONE",
  person: {
    name: "Callum Fraser",
    employeeId: "C71230",
    department: "Quality Engineering",
    title: "Contract Test Analyst (Brightpath Staffing)",
    riskTier: "CONTRACTOR",
    status: "LEFT",
    phoneOfRecord: "+44 131 496 0592",
    manager: { name: "Anjali Rao", title: "QA Lead" },
    emails: [
      { address: "callum.fraser@contractors.northwind.example", kind: "work", verified: true },
    ],
    passkeys: [
      {
        model: "MacBook Air (iCloud Keychain)",
        synced: true,
        addedDaysAgo: 160,
        lastUsedDaysAgo: 4,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 131 496 0592",
    opening:
      "Hi, Callum Fraser, I was testing for the QA team through Brightpath. I'm locked out since the weekend. My contract finished on Friday but I never submitted my last timesheet, and a few of my notes are still in my drive. I only need in for an hour.",
    claim:
      "Locked out since his contract ended on Friday; wants an hour to submit a timesheet and collect files.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens: "You call the number of record. Callum answers and confirms he asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Anjali Rao, his sponsor of record, denies the request: his contract ended on Friday, his access was removed on purpose, and timesheets go through the agency.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "The passkey on Callum's laptop no longer signs in: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "Callum joins the video and holds his driving licence next to his face. Name and face match the HR record.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Callum gives his contractor ID, team, agency and sponsor correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "OTHER",
      at: "opening",
      line: "“My contract finished on Friday, but I only need in for an hour to grab my notes.”",
    },
  ],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation:
      "It was Callum, and his reasons were ordinary. But the record shows him as left: his access ended with his contract, on purpose.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A leaver is never recovered, however certain the identity: the record's status decides, not the checks. Stop, tell him timesheets go through his agency and files through his former sponsor, and offer to revoke the passkey still on his laptop.",
  },
};
