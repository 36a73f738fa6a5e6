-- CreateTable
CREATE TABLE "SsfReceiverToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(6),

    CONSTRAINT "SsfReceiverToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsfStream" (
    "id" UUID NOT NULL,
    "tokenId" UUID NOT NULL,
    "audience" TEXT NOT NULL,
    "deliveryMethod" TEXT NOT NULL,
    "endpointUrl" TEXT,
    "authorizationHeader" TEXT,
    "eventsRequested" TEXT[],
    "description" TEXT,
    "status" TEXT NOT NULL DEFAULT 'enabled',
    "statusReason" TEXT,
    "position" BIGINT NOT NULL,
    "ackedJtis" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "lastSuccessAt" TIMESTAMPTZ(6),
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "SsfStream_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SsfReceiverToken_tokenHash_key" ON "SsfReceiverToken"("tokenHash");

-- CreateIndex
CREATE INDEX "SsfStream_tokenId_idx" ON "SsfStream"("tokenId");

-- AddForeignKey
ALTER TABLE "SsfStream" ADD CONSTRAINT "SsfStream_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "SsfReceiverToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

