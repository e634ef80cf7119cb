-- Scoda.Market schema V0009 (SQLite): live sessions ("Product Promotion by Ambassadors"): sessions, featured listings,
-- registrations, the per-session event log, questions and votes, mutes, firm interest, rooms opened from a session,
-- viewer presence (shared by all replicas), unique visits and per-minute viewer peaks.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script sqlite`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "LiveSessions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_LiveSessions" PRIMARY KEY,
    "HostUserId" TEXT NOT NULL,
    "CountryCode" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "StartsAt" INTEGER NOT NULL,
    "EndsAt" INTEGER NOT NULL,
    "StreamUrl" TEXT NOT NULL,
    "StreamKind" TEXT NOT NULL,
    "ReplayUrl" TEXT NULL,
    "Status" TEXT NOT NULL,
    "StartedAt" INTEGER NULL,
    "EndedAt" INTEGER NULL,
    "CancelledAt" INTEGER NULL,
    "CancelReason" TEXT NULL,
    "PinnedListingId" TEXT NULL,
    "LastSequence" INTEGER NOT NULL,
    "ReminderSentAt" INTEGER NULL,
    "Revision" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

CREATE TABLE "LiveEvents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_LiveEvents" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "Type" TEXT NOT NULL,
    "ActorUserId" TEXT NULL,
    "ActorRole" TEXT NULL,
    "ClientMessageId" TEXT NULL,
    "Payload" TEXT NOT NULL,
    "At" INTEGER NOT NULL,
    "HiddenAt" INTEGER NULL,
    "HiddenBy" TEXT NULL,
    CONSTRAINT "FK_LiveEvents_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveInterests" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_LiveInterests" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "SellerOrganizationId" TEXT NOT NULL,
    "BuyerOrganizationId" TEXT NOT NULL,
    "UserId" TEXT NOT NULL,
    "Quantity" INTEGER NOT NULL,
    "Unit" TEXT NOT NULL,
    "PriceAmount" INTEGER NULL,
    "PriceCurrency" TEXT NULL,
    "PriceUnit" TEXT NULL,
    "ValueUsd" INTEGER NULL,
    "ValidUntil" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "RoomId" TEXT NULL,
    CONSTRAINT "FK_LiveInterests_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveMutes" (
    "SessionId" TEXT NOT NULL,
    "UserId" TEXT NOT NULL,
    "MutedBy" TEXT NOT NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveMutes" PRIMARY KEY ("SessionId", "UserId"),
    CONSTRAINT "FK_LiveMutes_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveQuestions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_LiveQuestions" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "AskedBy" TEXT NOT NULL,
    "Text" TEXT NOT NULL,
    "Votes" INTEGER NOT NULL,
    "AskedAt" INTEGER NOT NULL,
    "Answer" TEXT NULL,
    "AnsweredBy" TEXT NULL,
    "AnsweredAt" INTEGER NULL,
    "HiddenAt" INTEGER NULL,
    CONSTRAINT "FK_LiveQuestions_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveRegistrations" (
    "SessionId" TEXT NOT NULL,
    "UserId" TEXT NOT NULL,
    "RegisteredAt" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveRegistrations" PRIMARY KEY ("SessionId", "UserId"),
    CONSTRAINT "FK_LiveRegistrations_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveSessionRooms" (
    "SessionId" TEXT NOT NULL,
    "RoomId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "BuyerOrganizationId" TEXT NOT NULL,
    "OpenedAt" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveSessionRooms" PRIMARY KEY ("SessionId", "RoomId"),
    CONSTRAINT "FK_LiveSessionRooms_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveViewerMinutes" (
    "SessionId" TEXT NOT NULL,
    "Minute" INTEGER NOT NULL,
    "Count" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveViewerMinutes" PRIMARY KEY ("SessionId", "Minute"),
    CONSTRAINT "FK_LiveViewerMinutes_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveViewers" (
    "ConnectionId" TEXT NOT NULL,
    "SessionId" TEXT NOT NULL,
    "ViewerKey" TEXT NOT NULL,
    "HostId" TEXT NOT NULL,
    "JoinedAt" INTEGER NOT NULL,
    "SeenAt" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveViewers" PRIMARY KEY ("ConnectionId", "SessionId"),
    CONSTRAINT "FK_LiveViewers_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveVisits" (
    "SessionId" TEXT NOT NULL,
    "ViewerKey" TEXT NOT NULL,
    "FirstSeenAt" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveVisits" PRIMARY KEY ("SessionId", "ViewerKey"),
    CONSTRAINT "FK_LiveVisits_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveQuestionVotes" (
    "QuestionId" TEXT NOT NULL,
    "UserId" TEXT NOT NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveQuestionVotes" PRIMARY KEY ("QuestionId", "UserId"),
    CONSTRAINT "FK_LiveQuestionVotes_LiveQuestions_QuestionId" FOREIGN KEY ("QuestionId") REFERENCES "LiveQuestions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveSessionListings" (
    "SessionId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "SellerOrganizationId" TEXT NOT NULL,
    "CategoryPath" TEXT NOT NULL,
    "Position" INTEGER NOT NULL,
    CONSTRAINT "PK_LiveSessionListings" PRIMARY KEY ("SessionId", "ListingId"),
    CONSTRAINT "FK_LiveSessionListings_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_LiveSessionListings_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_LiveEvents_SessionId_ClientMessageId" ON "LiveEvents" ("SessionId", "ClientMessageId");

CREATE UNIQUE INDEX "IX_LiveEvents_SessionId_Sequence" ON "LiveEvents" ("SessionId", "Sequence");

CREATE INDEX "IX_LiveEvents_SessionId_Type_Sequence" ON "LiveEvents" ("SessionId", "Type", "Sequence");

CREATE INDEX "IX_LiveInterests_SellerOrganizationId" ON "LiveInterests" ("SellerOrganizationId");

CREATE INDEX "IX_LiveInterests_SessionId_ListingId" ON "LiveInterests" ("SessionId", "ListingId");

CREATE INDEX "IX_LiveQuestions_SessionId_Votes" ON "LiveQuestions" ("SessionId", "Votes");

CREATE INDEX "IX_LiveRegistrations_UserId" ON "LiveRegistrations" ("UserId");

CREATE INDEX "IX_LiveSessionListings_ListingId" ON "LiveSessionListings" ("ListingId");

CREATE INDEX "IX_LiveSessionListings_SellerOrganizationId" ON "LiveSessionListings" ("SellerOrganizationId");

CREATE INDEX "IX_LiveSessionRooms_RoomId" ON "LiveSessionRooms" ("RoomId");

CREATE INDEX "IX_LiveSessions_HostUserId_StartsAt" ON "LiveSessions" ("HostUserId", "StartsAt");

CREATE INDEX "IX_LiveSessions_Status_StartsAt" ON "LiveSessions" ("Status", "StartsAt");

CREATE INDEX "IX_LiveViewers_HostId" ON "LiveViewers" ("HostId");

CREATE INDEX "IX_LiveViewers_SessionId_SeenAt" ON "LiveViewers" ("SessionId", "SeenAt");
