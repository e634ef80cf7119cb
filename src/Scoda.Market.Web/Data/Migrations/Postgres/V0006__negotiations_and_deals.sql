-- Scoda.Market schema V0006 (PostgreSQL): negotiation rooms, their event log, participants, offers and deals.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script postgres`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "NegotiationRooms" (
    "Id" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "SellerOrganizationId" uuid NOT NULL,
    "BuyerOrganizationId" uuid NOT NULL,
    "BuyRequestId" uuid,
    "Round" integer NOT NULL,
    "Status" character varying(16) NOT NULL,
    "LastSequence" bigint NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "CreatedBy" uuid NOT NULL,
    CONSTRAINT "PK_NegotiationRooms" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_NegotiationRooms_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_NegotiationRooms_Organizations_BuyerOrganizationId" FOREIGN KEY ("BuyerOrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_NegotiationRooms_Organizations_SellerOrganizationId" FOREIGN KEY ("SellerOrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Offers" (
    "Id" uuid NOT NULL,
    "RoomId" uuid NOT NULL,
    "Side" character varying(8) NOT NULL,
    "MadeBy" uuid NOT NULL,
    "CounterToOfferId" uuid,
    "Status" character varying(16) NOT NULL,
    "Terms" text NOT NULL,
    "ValidUntil" timestamp with time zone NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "Sequence" bigint NOT NULL,
    "ClosedAt" timestamp with time zone,
    CONSTRAINT "PK_Offers" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Offers_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RoomEvents" (
    "Id" uuid NOT NULL,
    "RoomId" uuid NOT NULL,
    "Sequence" bigint NOT NULL,
    "Type" character varying(32) NOT NULL,
    "ActorUserId" uuid,
    "ActorSide" character varying(8),
    "ClientMessageId" character varying(64),
    "Payload" text NOT NULL,
    "At" timestamp with time zone NOT NULL,
    "HiddenAt" timestamp with time zone,
    "HiddenBy" uuid,
    CONSTRAINT "PK_RoomEvents" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_RoomEvents_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RoomParticipants" (
    "RoomId" uuid NOT NULL,
    "UserId" uuid NOT NULL,
    "LastReadSequence" bigint NOT NULL,
    "JoinedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_RoomParticipants" PRIMARY KEY ("RoomId", "UserId"),
    CONSTRAINT "FK_RoomParticipants_NegotiationRooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "NegotiationRooms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Deals" (
    "Id" uuid NOT NULL,
    "RoomId" uuid NOT NULL,
    "OfferId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "SellerOrganizationId" uuid NOT NULL,
    "BuyerOrganizationId" uuid NOT NULL,
    "Status" character varying(16) NOT NULL,
    "Terms" text NOT NULL,
    "TotalAmount" numeric(18,6) NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "ReservationId" uuid,
    "AcceptedBy" uuid NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Deals" PRIMARY KEY ("Id"),
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
