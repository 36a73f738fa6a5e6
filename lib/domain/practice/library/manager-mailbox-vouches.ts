import type { ScenarioInput } from "../scenario";

/** Business email compromise used to vouch: the manager's mailbox "confirms" for the attacker. */
export const managerMailboxVouches: ScenarioInput = {
  key: "manager-mailbox-vouches",
  title: "The manager who confirms by return",
  summary:
    "On chat, an analyst with a new phone asks for a passkey link and says their manager is standing by to confirm. They are in workshops all afternoon and can't take a call.",
  source:
    "Public accounts of business email compromise, in which an attacker who controls one mailbox uses it to vouch for requests; decision 007's residual risk of a compromised manager mailbox; the policy's red flag for refusing the callback.",
  reason: "REPLACED_DEVICE",
  channel: "CHAT",
  person: {
    name: "Tomasz Wójcik",
    employeeId: "E22590",
    department: "Marketing",
    title: "Campaign Analyst",
    riskTier: "STANDARD",
    status: "ACTIVE",
    phoneOfRecord: "+44 20 7946 0584",
    manager: { name: "Aisha Bello", title: "Head of Campaigns" },
    emails: [{ address: "tomasz.wojcik@northwind.example", kind: "work", verified: true }],
    passkeys: [
      {
        model: "Samsung Galaxy S23 (Google Password Manager)",
        synced: true,
        addedDaysAgo: 500,
        lastUsedDaysAgo: 4,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900217",
    opening:
      "Hi, Tomasz from Campaigns. I swapped my phone over the weekend and the passkey didn't come across. I'm in back-to-back workshops all afternoon so I can't take a call, but Aisha knows about it and is watching her email to confirm whatever you send. Can we do it all here on chat?",
    claim: "Replaced his phone at the weekend; the passkey did not move across.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record, Tomasz's desk line. Tomasz answers: he is at his desk, his phone is the same one he has had for a year, and he has not contacted the help desk. He has no workshops today.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens: "Within a minute of sending, the request is confirmed from Aisha Bello's mailbox.",
      outcome: "PASSED",
    },
    PASSKEY_PROOF: {
      happens:
        "The proof link goes to Tomasz's address of record. Nobody signs in with his passkey.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "The chatter says they can't turn a camera on in the workshop room and asks whether the manager's confirmation will do instead.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens: "The chatter gives the employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "OTHER",
      at: "opening",
      line: "“Aisha knows about it and is watching her email to confirm whatever you send.”",
    },
    {
      flag: "REFUSED_CALLBACK",
      at: "CALLBACK",
      line: "“Honestly, don't ring me, I'm presenting. Aisha's already confirmed, hasn't she? That's two of us.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["compromised-mailbox", "cannot-take-callback"],
    explanation:
      "The attacker had phished Aisha Bello's mailbox a week earlier and was using it to confirm their own requests. A manager's confirmation proves only that someone can read the manager's mail. The callback to the number of record reached the real Tomasz, who had asked for nothing.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "Refusing the callback stops the case whatever else has passed, and the callback itself fails. Stop, say nothing about which check failed, and tell security that Aisha's mailbox confirmed a request Tomasz never made: the mailbox is compromised and she must be told by another route.",
  },
};
