-- Scoda.Market schema V0009 (PostgreSQL): live sessions ("Product Promotion by Ambassadors"): sessions, featured listings,
-- registrations, the per-session event log, questions and votes, mutes, firm interest, rooms opened from a session,
-- viewer presence (shared by all replicas), unique visits and per-minute viewer peaks.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script postgres`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "LiveSessions" (
    "Id" uuid NOT NULL,
    "HostUserId" uuid NOT NULL,
    "CountryCode" character varying(2) NOT NULL,
    "Title" text NOT NULL,
    "Description" text NOT NULL,
    "StartsAt" timestamp with time zone NOT NULL,
    "EndsAt" timestamp with time zone NOT NULL,
    "StreamUrl" character varying(2000) NOT NULL,
    "StreamKind" character varying(8) NOT NULL,
    "ReplayUrl" character varying(2000),
    "Status" character varying(16) NOT NULL,
    "StartedAt" timestamp with time zone,
    "EndedAt" timestamp with time zone,
    "CancelledAt" timestamp with time zone,
    "CancelReason" character varying(500),
    "PinnedListingId" uuid,
    "LastSequence" bigint NOT NULL,
    "ReminderSentAt" timestamp with time zone,
    "Revision" integer NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveSessions" PRIMARY KEY ("Id")
);

CREATE TABLE "LiveEvents" (
    "Id" uuid NOT NULL,
    "SessionId" uuid NOT NULL,
    "Sequence" bigint NOT NULL,
    "Type" character varying(32) NOT NULL,
    "ActorUserId" uuid,
    "ActorRole" character varying(16),
    "ClientMessageId" character varying(64),
    "Payload" text NOT NULL,
    "At" timestamp with time zone NOT NULL,
    "HiddenAt" timestamp with time zone,
    "HiddenBy" uuid,
    CONSTRAINT "PK_LiveEvents" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_LiveEvents_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveInterests" (
    "Id" uuid NOT NULL,
    "SessionId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "SellerOrganizationId" uuid NOT NULL,
    "BuyerOrganizationId" uuid NOT NULL,
    "UserId" uuid NOT NULL,
    "Quantity" numeric(18,6) NOT NULL,
    "Unit" character varying(8) NOT NULL,
    "PriceAmount" numeric(18,6),
    "PriceCurrency" character varying(3),
    "PriceUnit" character varying(8),
    "ValueUsd" numeric(18,6),
    "ValidUntil" timestamp with time zone NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "Sequence" bigint NOT NULL,
    "RoomId" uuid,
    CONSTRAINT "PK_LiveInterests" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_LiveInterests_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveMutes" (
    "SessionId" uuid NOT NULL,
    "UserId" uuid NOT NULL,
    "MutedBy" uuid NOT NULL,
    "At" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveMutes" PRIMARY KEY ("SessionId", "UserId"),
    CONSTRAINT "FK_LiveMutes_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveQuestions" (
    "Id" uuid NOT NULL,
    "SessionId" uuid NOT NULL,
    "Sequence" bigint NOT NULL,
    "AskedBy" uuid NOT NULL,
    "Text" character varying(2000) NOT NULL,
    "Votes" integer NOT NULL,
    "AskedAt" timestamp with time zone NOT NULL,
    "Answer" character varying(4000),
    "AnsweredBy" uuid,
    "AnsweredAt" timestamp with time zone,
    "HiddenAt" timestamp with time zone,
    CONSTRAINT "PK_LiveQuestions" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_LiveQuestions_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveRegistrations" (
    "SessionId" uuid NOT NULL,
    "UserId" uuid NOT NULL,
    "RegisteredAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveRegistrations" PRIMARY KEY ("SessionId", "UserId"),
    CONSTRAINT "FK_LiveRegistrations_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveSessionRooms" (
    "SessionId" uuid NOT NULL,
    "RoomId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "BuyerOrganizationId" uuid NOT NULL,
    "OpenedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveSessionRooms" PRIMARY KEY ("SessionId", "RoomId"),
    CONSTRAINT "FK_LiveSessionRooms_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveViewerMinutes" (
    "SessionId" uuid NOT NULL,
    "Minute" timestamp with time zone NOT NULL,
    "Count" integer NOT NULL,
    CONSTRAINT "PK_LiveViewerMinutes" PRIMARY KEY ("SessionId", "Minute"),
    CONSTRAINT "FK_LiveViewerMinutes_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveViewers" (
    "ConnectionId" character varying(64) NOT NULL,
    "SessionId" uuid NOT NULL,
    "ViewerKey" character varying(80) NOT NULL,
    "HostId" character varying(64) NOT NULL,
    "JoinedAt" timestamp with time zone NOT NULL,
    "SeenAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveViewers" PRIMARY KEY ("ConnectionId", "SessionId"),
    CONSTRAINT "FK_LiveViewers_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveVisits" (
    "SessionId" uuid NOT NULL,
    "ViewerKey" character varying(80) NOT NULL,
    "FirstSeenAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveVisits" PRIMARY KEY ("SessionId", "ViewerKey"),
    CONSTRAINT "FK_LiveVisits_LiveSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "LiveSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveQuestionVotes" (
    "QuestionId" uuid NOT NULL,
    "UserId" uuid NOT NULL,
    "At" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveQuestionVotes" PRIMARY KEY ("QuestionId", "UserId"),
    CONSTRAINT "FK_LiveQuestionVotes_LiveQuestions_QuestionId" FOREIGN KEY ("QuestionId") REFERENCES "LiveQuestions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "LiveSessionListings" (
    "SessionId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "SellerOrganizationId" uuid NOT NULL,
    "CategoryPath" character varying(300) NOT NULL,
    "Position" integer NOT NULL,
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
