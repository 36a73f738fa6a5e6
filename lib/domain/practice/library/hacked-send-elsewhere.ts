import type { ScenarioInput } from "../scenario";

/** "I've been hacked, don't use my work mail": a compromise story that asks for a new address. */
export const hackedSendElsewhere: ScenarioInput = {
  key: "hacked-send-elsewhere",
  title: "The hacked mailbox, by chat",
  summary:
    "On chat, a payroll administrator says her account has been hacked, her work mailbox is in the attacker's hands, and a fresh link must go to her personal address.",
  source:
    "Public accounts of MFA-fatigue and help-desk attacks (the 2022 campaigns attributed to Lapsus$ and others), in which the attacker, holding a password, claims a compromise to get the help desk to reset factors; the policy's red flags for new contact details and pressure.",
  reason: "SUSPECTED_COMPROMISE",
  channel: "CHAT",
  person: {
    name: "Grace Whitfield",
    employeeId: "E33061",
    department: "People Operations",
    title: "Payroll Administrator",
    riskTier: "STANDARD",
    status: "ACTIVE",
    phoneOfRecord: "+44 20 7946 0418",
    manager: { name: "Hugo Marchetti", title: "Payroll Manager" },
    emails: [
      { address: "grace.whitfield@northwind.example", kind: "work", verified: true },
      { address: "gwhitfield@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      {
        model: "Windows Hello (Dell laptop)",
        synced: false,
        addedDaysAgo: 260,
        lastUsedDaysAgo: 0,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900875",
    opening:
      "URGENT. This is Grace Whitfield in payroll. My account has been hacked, I keep getting sign-in prompts and the hacker has my work email. Don't send anything there! Wipe my passkeys and send a new link to grace.whitfield.home@mail.example. Payroll goes out tonight so please hurry.",
    claim:
      "Says her account and work mailbox are compromised; asks for a link to a new personal address.",
    offeredContact: { kind: "OFFERED_EMAIL", value: "grace.whitfield.home@mail.example" },
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Grace answers: she has not contacted the help desk, but she has been getting sign-in prompts she did not make since this morning and has been refusing them.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens: "The request goes to Hugo Marchetti; he has not answered it yet.",
      outcome: "NO_ANSWER",
    },
    PASSKEY_PROOF: {
      happens:
        "The link goes to Grace's addresses of record. Nobody signs in with her passkey from it.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens: "The chatter says she has no camera on this machine.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens: "The chatter gives the employee ID, department and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "NEW_CONTACT_REQUEST",
      at: "opening",
      line: "“Don't send anything to my work email! Send a new link to grace.whitfield.home@mail.example.”",
    },
    {
      flag: "PRESSURE",
      at: "opening",
      line: "“Payroll goes out tonight so please hurry.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["compromised-mailbox"],
    explanation:
      "The attacker had Grace's password and had been sending her sign-in prompts, which she refused. Claiming a compromise was a way to get her factors reset and a link sent to an address they controlled. The address offered is not the personal address of record.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A compromise story does not change where links go: only to addresses of record. The request for a new address stops the case. Grace, reached on the callback, is the one being attacked: tell security, and offer her revocation of anything she does not recognise.",
  },
};
