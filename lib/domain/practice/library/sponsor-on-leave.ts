import type { ScenarioInput } from "../scenario";

/** "My sponsor is away, send it to my agency instead": the contractor's missing second person. */
export const sponsorOnLeave: ScenarioInput = {
  key: "sponsor-on-leave",
  title: "The contractor whose sponsor is away",
  summary:
    "A contract developer is locked out and knows the help desk's routine. Their sponsor is on leave, so they ask for the confirmation to go to their agency's account manager.",
  source:
    "Public accounts of the 2023 help-desk campaigns (Scattered Spider / UNC3944), whose callers knew the desks' procedures and steered around the checks they could not pass; the policy's red flags for new contact details and details that don't match.",
  reason: "LOCKED_OUT",
  channel: "PHONE",
  person: {
    name: "Ravi Chandran",
    employeeId: "C70412",
    department: "Digital Products",
    title: "Contract Developer (Brightpath Staffing)",
    riskTier: "CONTRACTOR",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900738",
    manager: { name: "Helen Ashworth", title: "Engineering Manager, Digital Products" },
    emails: [
      { address: "ravi.chandran@contractors.northwind.example", kind: "work", verified: true },
    ],
    passkeys: [
      {
        model: "MacBook Pro (iCloud Keychain)",
        synced: true,
        addedDaysAgo: 90,
        lastUsedDaysAgo: 6,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 20 7946 0922",
    opening:
      "Hi, Ravi Chandran, contractor in Digital Products. I'm locked out: my laptop got re-imaged and the passkey's gone. I know the drill, callback and sponsor sign-off. Thing is, Helen's on leave for two weeks. Can you send the sponsor request to my account manager at the agency instead? She signs off everything for me.",
    claim: "Locked out after the laptop was re-imaged; his sponsor is on leave.",
    offeredContact: { kind: "OFFERED_EMAIL", value: "accounts@brightpath-staffing.example" },
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Ravi answers from the office: he can sign in fine and has not called the help desk today.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "The request goes to Helen Ashworth's address of record. Her out-of-office reply says she is on leave; nobody answers the link.",
      outcome: "NO_ANSWER",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Ravi's passkey: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens: "The caller says he can do video later in the week, not now.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The caller gives a contractor ID starting with E rather than C, and names a different agency from the one on the record (Brightpath Staffing).",
      outcome: "FAILED",
    },
  },
  cues: [
    {
      flag: "NEW_CONTACT_REQUEST",
      at: "MANAGER_CONFIRMATION",
      line: "“Send it to accounts@brightpath-staffing.example, that's my account manager. She can sign off for Helen.”",
    },
    {
      flag: "DETAILS_MISMATCH",
      at: "EMPLOYEE_RECORD",
      line: "“My ID? E70412. I'm with Corby Tech Recruitment, placed here since the spring.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["manager-on-leave", "help-desk-familiarity"],
    explanation:
      "The attacker had seen Helen's out-of-office reply and knew the desk's script for contractors. The offered address belonged to them. They guessed Ravi's ID format and agency wrong, and the callback reached the real Ravi, who was not locked out.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A sponsor on leave is not a reason to send the confirmation anywhere else: links only go to addresses of record. The request for a new address stops the case, and so do the mismatched details and the failed callback. If a genuine contractor's sponsor is away, the record's sponsor is changed through HR first, never on the call.",
  },
};
