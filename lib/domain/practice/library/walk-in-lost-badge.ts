import type { ScenarioInput } from "../scenario";

/** In person is not proof of person: a walk-in with the right badge and the wrong face. */
export const walkInLostBadge: ScenarioInput = {
  key: "walk-in-lost-badge",
  title: "The walk-in with a company badge",
  summary:
    "Someone comes to the head-office IT service point with a company badge, says their phone was stolen on the way in and asks to be set up on a new one.",
  source:
    "Public accounts of physical social engineering and of staff badges lost or stolen and then used to look like an insider; the policy's photo-ID step (the face must match the HR name and photo) and its red flag for mismatching details.",
  reason: "STOLEN_DEVICE",
  channel: "WALK_IN",
  person: {
    name: "Nadia Farouk",
    employeeId: "E27344",
    department: "Customer Analytics",
    title: "Insight Analyst",
    riskTier: "STANDARD",
    status: "ACTIVE",
    phoneOfRecord: "+44 20 7946 0671",
    manager: { name: "Peter Lindgren", title: "Customer Analytics Lead" },
    emails: [
      { address: "nadia.farouk@northwind.example", kind: "work", verified: true },
      { address: "nadia.f@mail.example", kind: "personal", verified: false },
    ],
    passkeys: [
      { model: "iPhone (iCloud Keychain)", synced: true, addedDaysAgo: 400, lastUsedDaysAgo: 8 },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 20 7946 0000",
    opening:
      "(At the service point, holding up a company badge.) Hi, I'm Nadia Farouk, third floor, Customer Insight. Someone nicked my phone on the train this morning and my passkey was on it. I've got my badge, so you know it's me. Can you set me up on this new phone?",
    claim: "Phone stolen on the train this morning; shows a company badge.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record, Nadia's desk line, which is forwarded to her mobile. Nadia answers at home: she is working from home today, still has her phone, and lost her badge last week.",
      outcome: "FAILED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Peter Lindgren denies the request: Nadia is on a video call with him right now, from home.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Nadia's passkey: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "The visitor hands over the badge. It is Nadia's, but the photo is of someone else: similar hair, different face. Asked for a government photo ID, they say they left it at home.",
      outcome: "FAILED",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The visitor reads the employee ID off the badge, but names the department as Customer Insight (it was renamed Customer Analytics last year) and gets the manager's name wrong.",
      outcome: "FAILED",
    },
  },
  cues: [
    {
      flag: "DETAILS_MISMATCH",
      at: "EMPLOYEE_RECORD",
      line: "“Customer Insight, third floor. My manager's Paul… Paul Lind-something.”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["insider-knowledge"],
    explanation:
      "The visitor had found Nadia's lost badge and followed staff through the door. The badge gave a name and an employee ID, nothing more. The face did not match, the department name was a year out of date, and the real Nadia answered the callback at home.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "Being in the building is not evidence, and a badge is only as good as the face on it. The mismatched details stop the case (do not say which), and the ID, the callback and the manager all fail. Tell security: the badge should be cancelled and the visitor was inside.",
  },
};
