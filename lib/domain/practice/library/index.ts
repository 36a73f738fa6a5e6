/**
 * The built-in scenario library: version 1 of each built-in practice call (docs/decisions/030 and
 * docs/practice-scenarios.md for the sources). Security reviewers add later versions in the
 * console; a built-in here is never edited in place (its hash is pinned by
 * lib/domain/practice/library.test.ts), only joined by new ones.
 */
import { POLICY_V2 } from "../../recovery-policy";
import { parseScenario, type Scenario, type ScenarioInput } from "../scenario";
import { adminReportsCompromise } from "./admin-reports-compromise";
import { assistantForTheCfo } from "./assistant-for-the-cfo";
import { contractorWhoLeft } from "./contractor-who-left";
import { frontlineNoPhone } from "./frontline-no-phone";
import { hackedSendElsewhere } from "./hacked-send-elsewhere";
import { hotelWifiVideo } from "./hotel-wifi-video";
import { managerMailboxVouches } from "./manager-mailbox-vouches";
import { newPhoneManagerAway } from "./new-phone-manager-away";
import { portalNumberChange } from "./portal-number-change";
import { replacementSimTomorrow } from "./replacement-sim-tomorrow";
import { simSwappedTreasury } from "./sim-swapped-treasury";
import { sponsorOnLeave } from "./sponsor-on-leave";
import { stolenPhoneSameNumber } from "./stolen-phone-same-number";
import { stressedExecutive } from "./stressed-executive";
import { ticketNumberCaller } from "./ticket-number-caller";
import { urgentAdminNewNumber } from "./urgent-admin-new-number";
import { walkInLostBadge } from "./walk-in-lost-badge";
import { warehouseNewPhone } from "./warehouse-new-phone";

/** Sorted by key. */
const LIBRARY: readonly ScenarioInput[] = [
  adminReportsCompromise,
  assistantForTheCfo,
  contractorWhoLeft,
  frontlineNoPhone,
  hackedSendElsewhere,
  hotelWifiVideo,
  managerMailboxVouches,
  newPhoneManagerAway,
  portalNumberChange,
  replacementSimTomorrow,
  simSwappedTreasury,
  sponsorOnLeave,
  stolenPhoneSameNumber,
  stressedExecutive,
  ticketNumberCaller,
  urgentAdminNewNumber,
  walkInLostBadge,
  warehouseNewPhone,
];

function checked(input: ScenarioInput): Scenario {
  const parsed = parseScenario(input, POLICY_V2);
  if (!parsed.ok)
    throw new Error(
      `Built-in scenario ${input.key} is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
    );
  return parsed.scenario;
}

/** Version 1 of every built-in scenario, validated at load (a broken one fails every test). */
export const BUILT_IN_SCENARIOS: readonly Scenario[] = LIBRARY.map(checked);
