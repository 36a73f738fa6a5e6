import type { ScenarioInput } from "../scenario";

/** SIM swapping (the 2022 SMS phishing campaigns, Lapsus$): the callback reaches the attacker. */
export const simSwappedTreasury: ScenarioInput = {
  key: "sim-swapped-treasury",
  title: "The treasury manager whose callback works",
  summary:
    "A treasury manager says her phone was snatched yesterday and she has a new one with the same number. The callback to the number of record is answered.",
  source:
    "Public accounts of SIM-swap attacks (the 2022 SMS phishing and SIM-swap campaigns against tech companies, Lapsus$ and later help-desk campaigns), where the attacker moves the victim's number to their own SIM so codes and callbacks reach them; NIST SP 800-63B's warning that a phone number proves possession of the number only.",
  reason: "STOLEN_DEVICE",
  channel: "PHONE",
  person: {
    name: "Olivia Brandt",
    employeeId: "E31877",
    department: "Treasury",
    title: "Treasury Operations Manager",
    riskTier: "HIGH_RISK",
    status: "ACTIVE",
    phoneOfRecord: "+44 7700 900613",
    manager: { name: "Kwame Mensah", title: "Group Treasurer" },
    emails: [
      { address: "olivia.brandt@northwind.example", kind: "work", verified: true },
      { address: "obrandt@mail.example", kind: "personal", verified: true },
    ],
    passkeys: [
      {
        model: "Pixel 8 (Google Password Manager)",
        synced: true,
        addedDaysAgo: 320,
        lastUsedDaysAgo: 2,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 7700 900613",
    opening:
      "Hi, Olivia Brandt, Treasury. My phone was snatched outside the station yesterday. I've got a new handset and the carrier put my number on a new SIM this morning, so I'm calling from my own number, but my passkey went with the old phone. Can you get me set up again? The payment run closes at four.",
    claim: "Phone stolen yesterday; same number on a new SIM today; asks to set up a new passkey.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: {
      happens:
        "You call the number of record. It is answered on the first ring: “Yes, it's Olivia, thanks for calling back.” The caller confirms she asked for recovery.",
      outcome: "PASSED",
    },
    MANAGER_CONFIRMATION: {
      happens:
        "Kwame Mensah answers the request: he denies it. He has just spoken to Olivia on the office landline; her phone lost all signal last night and she was going to the carrier's shop at lunch. She has not called the help desk.",
      outcome: "FAILED",
    },
    PASSKEY_PROOF: {
      happens: "Nobody signs in with Olivia's passkey: the link is never used.",
      outcome: "NO_ANSWER",
    },
    ID_DOCUMENT: {
      happens:
        "After a long delay the caller joins the video with the camera pointed at a desk, then holds up a driving licence in Olivia's name too close to read. When you ask to see their face next to it, the face does not match the licence photo or the HR photo.",
      outcome: "FAILED",
    },
    EMPLOYEE_RECORD: {
      happens:
        "The caller gives Olivia's employee ID, department and manager correctly, reading them out a little too quickly.",
      outcome: "PASSED",
    },
  },
  cues: [
    {
      flag: "PRESSURE",
      at: "MANAGER_CONFIRMATION",
      line: "“Please don't bother Kwame, he's with the auditors all day. The payment run closes at four and it's on me if it doesn't go.”",
    },
    {
      flag: "OTHER",
      at: "ID_DOCUMENT",
      line: "“Can we skip the video? The camera on the new phone isn't set up yet. You called me back on my number, isn't that enough?”",
    },
  ],
  truth: {
    caller: "impostor",
    pretexts: ["sim-swap", "new-device-today"],
    explanation:
      "An attacker had talked Olivia's mobile carrier into moving her number to a SIM they held: her own phone lost signal the night before. So the callback rang the attacker's phone. They knew her details from a professional networking profile and an old org chart, but they could not hold her face and ID on video, and her manager, who had just spoken to the real Olivia, denied the request.",
  },
  safe: {
    outcome: "stop",
    explanation:
      "A callback that connects proves only who holds the number today. The high-risk script also asks for the manager and photo ID for exactly this reason. The manager's denial and the failed ID each stop the case; tell security that Olivia's number appears to have been swapped, so they can warn her and her carrier.",
  },
};
