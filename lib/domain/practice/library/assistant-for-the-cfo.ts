import type { ScenarioInput } from "../scenario";

/** Calling on an executive's behalf: the person to be verified is not the person on the line. */
export const assistantForTheCfo: ScenarioInput = {
  key: "assistant-for-the-cfo",
  title: "The assistant calling for the CFO",
  summary:
    "An executive assistant calls because the Chief Financial Officer is locked out minutes before a board call, and asks for the link to be sent to the assistant.",
  source:
    "Public accounts of help-desk social engineering that impersonates executives or their staff to add urgency (the 2023 casino-resort and retail intrusions); the policy's rule that the person is verified themselves, and its red flags for pressure and new contact details.",
  reason: "LOCKED_OUT",
  channel: "PHONE",
  person: {
    name: "Catherine Doyle",
    employeeId: "E10077",
    department: "Finance",
    title: "Chief Financial Officer",
    riskTier: "HIGH_RISK",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900104",
    manager: { name: "Samuel Ortiz", title: "Chief Executive Officer" },
    emails: [{ address: "catherine.doyle@northwind.example", kind: "work", verified: true }],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 150, lastUsedDaysAgo: 0 },
      { model: "YubiKey 5C", synced: false, addedDaysAgo: 600, lastUsedDaysAgo: 90 },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 20 7946 0150",
    opening:
      "Hello, I'm calling from Catherine Doyle's office, I'm her assistant. She's locked out and the board call starts in ten minutes, she's presenting the quarter. She can't come to the phone, she's in the boardroom. I manage her inbox, so just send the link to me and I'll get her in. Please, this has to happen now.",
    claim:
      "The CFO is locked out before a board call; her assistant asks for the link on her behalf.",
    offeredContact: { kind: "OFFERED_EMAIL", value: "cdoyle.office@mail.example" },
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Catherine Doyle answers between meetings: she signed in this morning, has no board call today and her assistant has not been asked to call anyone.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Samuel Ortiz answers the request: he denies it, and adds that there is no board meeting today.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Catherine's passkeys: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens: "The caller says Catherine cannot leave the boardroom to join a video call.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The caller gives Catherine's department and the CEO's name correctly, but says she doesn't have the employee ID to hand.",
      outcome: "UNABLE",
    },
  },
  cues: [
    {
      flag: "PRESSURE",
      at: "opening",
      line: "“The board call starts in ten minutes and she's presenting. Please, this has to happen now.”",
    },
    {
      flag: "NEW_CONTACT_REQUEST",
      at: "opening",
      line: "“I manage her inbox, so just send the link to me at cdoyle.office@mail.example.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["calling-for-someone-else", "urgent-executive"],
    explanation:
      "There was no assistant and no board call: the attacker had picked an executive from the company's website and used her seniority to hurry the desk. The address offered was theirs. The real Catherine, reached on her number of record, knew nothing of it.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A recovery is for the person themselves: nobody, however senior or well placed, receives a link for someone else. The request to use a new address stops the case. If the executive really is locked out, call her back on the number of record and verify her, with a supervisor's approval for her tier.",
  },
};
