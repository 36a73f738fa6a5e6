import type { ScenarioInput } from "../scenario";

/** A frontline worker's new phone, with the shift lead "away": send it to someone else instead. */
export const warehouseNewPhone: ScenarioInput = {
  key: "warehouse-new-phone",
  title: "The picker with a new phone and no shift lead",
  summary:
    "A warehouse picker got a new phone today and can't clock in on the handheld app. Their shift lead is on leave, so they ask for the confirmation to go to the lead covering the shift.",
  source:
    "Public accounts of help-desk attacks that target staff with the weakest checks and ask for a step to go to someone other than the person of record; the policy's frontline script (shift lead plus callback or ID) and its red flag for new contact details.",
  reason: "REPLACED_DEVICE",
  channel: "PHONE",
  person: {
    name: "Daniel Mensah-Clarke",
    employeeId: "E88214",
    department: "Fulfilment Centre Leeds",
    title: "Warehouse Picker",
    riskTier: "FRONTLINE",
    status: "ACTIVE",
    phoneOfRecord: "+44 113 496 0247",
    manager: { name: "Sandra Kowalczyk", title: "Shift Lead, Nights" },
    emails: [
      { address: "daniel.mensah-clarke@northwind.example", kind: "work", verified: true },
      { address: "dmc.home@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      {
        model: "Samsung Galaxy A54 (Google Password Manager)",
        synced: true,
        addedDaysAgo: 180,
        lastUsedDaysAgo: 1,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900340",
    opening:
      "Hiya, Daniel Mensah-Clarke, picker at Leeds, nights. Got a new phone today and the clock-in app wants my passkey, which was on the old one. Sandra's my shift lead but she's on holiday, Gary Holt's covering. Can you send whatever it is to Gary? His email's gary.holt.leeds@mail.example.",
    claim: "New phone today; the passkey was on the old one; the shift lead is on holiday.",
    offeredContact: { kind: "OFFERED_EMAIL", value: "gary.holt.leeds@mail.example" },
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. Daniel answers, sleepy after a night shift: he has not changed phones and has not called.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "The request goes to Sandra Kowalczyk's address of record. She is on leave; nobody answers the link.",
      outcome: "NO_ANSWER",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Daniel's passkey: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "The caller says the new phone's camera isn't working yet and offers to come to the site office next week.",
      outcome: "UNABLE",
    },
    EMPLOYEE_RECORD: {
      happens: "The caller gives the employee ID, site and shift lead correctly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "NEW_CONTACT_REQUEST",
      at: "MANAGER_CONFIRMATION",
      line: "“Can you send it to Gary instead? gary.holt.leeds@mail.example, he's covering for Sandra.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["new-device-today", "manager-on-leave"],
    explanation:
      "The attacker had found Daniel and his shift lead on a social-media group for the site's staff, where Sandra had posted her holiday. “Gary” and his address were the attacker. The callback reached the real Daniel at home.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "Frontline staff have the lightest script, so the shift lead's confirmation is its anchor: it only ever goes to the shift lead of record. Asking for another address stops the case. If the shift lead really has changed, HR changes the record first.",
  },
};
