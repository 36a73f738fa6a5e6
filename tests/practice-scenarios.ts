/**
 * Scenarios built for the practice tests (not part of the library): a genuine standard-tier
 * caller who should be recovered, and a genuine privileged one who needs a supervisor's approval.
 */
import { parseScenario, type Scenario, type ScenarioInput } from "@/lib/domain/practice/scenario";
import { POLICY_V2 } from "@/lib/domain/recovery-policy";

const genuineStandardInput: ScenarioInput = {
  key: "test-genuine-standard",
  title: "A genuine caller with a broken phone",
  summary: "A payroll clerk dropped her phone in the canal and calls from her desk phone.",
  source: "Written for the practice tests.",
  reason: "LOST_DEVICE",
  channel: "PHONE",
  person: {
    name: "Ada Quill",
    employeeId: "E20001",
    department: "Payroll",
    title: "Payroll Clerk",
    riskTier: "STANDARD",
    status: "ACTIVE",
    phoneOfRecord: "+44 20 7946 0101",
    manager: { name: "Ben Hart", title: "Payroll Lead" },
    emails: [
      { address: "ada.quill@northwind.example", kind: "work", verified: true },
      { address: "ada@mail.example", kind: "personal", verified: false },
    ],
    passkeys: [
      {
        model: "Pixel 8 (Google Password Manager)",
        synced: true,
        addedDaysAgo: 90,
        lastUsedDaysAgo: 2,
      },
    ],
    recentChanges: [],
  },
  call: {
    callerId: "+44 20 7946 0101",
    opening: "Hello, it's Ada from Payroll. My phone fell in the canal this morning.",
    claim: "Phone lost in water; calls from her desk phone.",
    offeredContact: null,
  },
  answers: {
    CALLBACK: { happens: "You call the desk phone of record: Ada answers.", outcome: "PASSED" },
    MANAGER_CONFIRMATION: { happens: "Ben Hart confirms it is Ada asking.", outcome: "PASSED" },
    PASSKEY_PROOF: { happens: "Ada has no other device: nobody signs in.", outcome: "NO_ANSWER" },
    ID_DOCUMENT: {
      happens: "Ada shows her company badge on video; it matches.",
      outcome: "PASSED",
    },
    EMPLOYEE_RECORD: {
      happens: "Ada gives her employee ID and manager correctly.",
      outcome: "PASSED",
    },
  },
  cues: [],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation: "It was Ada: she answered the phone of record and her manager confirmed.",
  },
  safe: {
    outcome: "recover",
    explanation: "Verify by the script and issue a short pass to her verified work address.",
  },
};

const genuinePrivilegedInput: ScenarioInput = {
  ...genuineStandardInput,
  key: "test-genuine-privileged",
  title: "A genuine administrator in a hurry",
  person: {
    ...genuineStandardInput.person,
    name: "Cyril Okafor",
    employeeId: "E20002",
    department: "Infrastructure",
    title: "Database Administrator",
    riskTier: "PRIVILEGED",
    emails: [{ address: "cyril.okafor@northwind.example", kind: "work", verified: true }],
  },
  cues: [{ flag: "PRESSURE", at: "opening", line: "“I'm on call and the pager is going off.”" }],
  truth: {
    caller: "genuine",
    pretexts: [],
    explanation: "It was Cyril, on call; the pressure was real but the checks still apply.",
  },
};

function checked(input: ScenarioInput): Scenario {
  const parsed = parseScenario(input, POLICY_V2);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scenario;
}

export const GENUINE_STANDARD = checked(genuineStandardInput);
export const GENUINE_PRIVILEGED = checked(genuinePrivilegedInput);
