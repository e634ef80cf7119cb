-- Scoda.Market schema V0006 (SQLite): negotiation rooms, their event log, participants, offers and deals.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script sqlite`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "NegotiationRooms" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_NegotiationRooms" PRIMARY KEY,
    "ListingId" TEXT NOT NULL,
    "SellerOrganizationId" TEXT NOT NULL,
    "BuyerOrganizationId" TEXT NOT NULL,
    "BuyRequestId" TEXT NULL,
    "Round" INTEGER NOT NULL,
    "Status" TEXT NOT NULL,
    "LastSequence" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    CONSTRAINT "FK_NegotiationRooms_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_NegotiationRooms_Organizations_BuyerOrganizationId" FOREIGN KEY ("BuyerOrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_NegotiationRooms_Organizations_SellerOrganizationId" FOREIGN KEY ("SellerOrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Offers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Offers" PRIMARY KEY,
    "RoomId" TEXT NOT NULL,
    "Side" TEXT NOT NULL,
    "MadeBy" TEXT NOT NULL,
    "CounterToOfferId" TEXT NULL,
    "Status" TEXT NOT NULL,
    "Terms" TEXT NOT NULL,
    "ValidUntil" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "ClosedAt" INTEGER NULL,
    CONSTRAINT "FK_Offers_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RoomEvents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_RoomEvents" PRIMARY KEY,
    "RoomId" TEXT NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "Type" TEXT NOT NULL,
    "ActorUserId" TEXT NULL,
    "ActorSide" TEXT NULL,
    "ClientMessageId" TEXT NULL,
    "Payload" TEXT NOT NULL,
    "At" INTEGER NOT NULL,
    "HiddenAt" INTEGER NULL,
    "HiddenBy" TEXT NULL,
    CONSTRAINT "FK_RoomEvents_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RoomParticipants" (
    "RoomId" TEXT NOT NULL,
    "UserId" TEXT NOT NULL,
    "LastReadSequence" INTEGER NOT NULL,
    "JoinedAt" INTEGER NOT NULL,
    CONSTRAINT "PK_RoomParticipants" PRIMARY KEY ("RoomId", "UserId"),
    CONSTRAINT "FK_RoomParticipants_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Deals" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Deals" PRIMARY KEY,
    "RoomId" TEXT NOT NULL,
    "OfferId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "SellerOrganizationId" TEXT NOT NULL,
    "BuyerOrganizationId" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Terms" TEXT NOT NULL,
    "TotalAmount" INTEGER NOT NULL,
    "Currency" TEXT NOT NULL,
    "ReservationId" TEXT NULL,
    "AcceptedBy" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_Deals_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Deals_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Deals_Offers_OfferId" FOREIGN KEY ("OfferId") REFERENCES "Offers" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Deals_Organizations_BuyerOrganizationId" FOREIGN KEY ("BuyerOrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Deals_Organizations_SellerOrganizationId" FOREIGN KEY ("SellerOrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_Deals_BuyerOrganizationId_CreatedAt" ON "Deals" ("BuyerOrganizationId", "CreatedAt");

CREATE INDEX "IX_Deals_ListingId" ON "Deals" ("ListingId");

CREATE UNIQUE INDEX "IX_Deals_OfferId" ON "Deals" ("OfferId");

CREATE INDEX "IX_Deals_RoomId" ON "Deals" ("RoomId");

CREATE INDEX "IX_Deals_SellerOrganizationId_CreatedAt" ON "Deals" ("SellerOrganizationId", "CreatedAt");

CREATE INDEX "IX_NegotiationRooms_BuyerOrganizationId_UpdatedAt" ON "NegotiationRooms" ("BuyerOrganizationId", "UpdatedAt");

CREATE UNIQUE INDEX "IX_NegotiationRooms_ListingId_BuyerOrganizationId_Round" ON "NegotiationRooms" ("ListingId", "BuyerOrganizationId", "Round");

CREATE INDEX "IX_NegotiationRooms_SellerOrganizationId_UpdatedAt" ON "NegotiationRooms" ("SellerOrganizationId", "UpdatedAt");

CREATE INDEX "IX_Offers_RoomId" ON "Offers" ("RoomId");

CREATE INDEX "IX_Offers_Status_ValidUntil" ON "Offers" ("Status", "ValidUntil");

CREATE UNIQUE INDEX "IX_RoomEvents_RoomId_ClientMessageId" ON "RoomEvents" ("RoomId", "ClientMessageId");

CREATE UNIQUE INDEX "IX_RoomEvents_RoomId_Sequence" ON "RoomEvents" ("RoomId", "Sequence");

CREATE INDEX "IX_RoomParticipants_UserId" ON "RoomParticipants" ("UserId");
