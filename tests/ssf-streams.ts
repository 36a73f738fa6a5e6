/**
 * A push stream to a test receiver (tests/ssf-receiver.ts), as a receiver that registered with
 * the transmitter has: its bearer token issued by a security reviewer, every event type, starting
 * at the trail's end (only what happens from now on is sent).
 */
import { hashToken, newToken } from "@/lib/server/secrets";
import { headPosition } from "@/lib/server/ssf/deliver";
import { db } from "./db";
import { actor } from "./recovery";

export async function pushStreamTo(receiver: {
  name: string;
  url: string;
  audience: string;
  authorization: string;
}) {
  const reviewer = await actor("SECURITY");
  const token = await db.ssfReceiverToken.create({
    data: { name: receiver.name, tokenHash: hashToken(newToken()), createdById: reviewer.id },
  });
  return db.ssfStream.create({
    data: {
      tokenId: token.id,
      audience: receiver.audience,
      deliveryMethod: "push",
      endpointUrl: receiver.url,
      authorizationHeader: receiver.authorization,
      eventsRequested: [],
      position: await headPosition(db),
    },
  });
}
