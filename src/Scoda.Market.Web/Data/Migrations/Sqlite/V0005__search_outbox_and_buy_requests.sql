-- Scoda.Market schema V0005 (SQLite): search outbox, buy requests, matches, notifications.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script sqlite`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "Notifications" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Notifications" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Link" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ReadAt" INTEGER NULL
);

CREATE TABLE "OutboxMessages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_OutboxMessages" PRIMARY KEY AUTOINCREMENT,
    "Topic" TEXT NOT NULL,
    "EntityId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ProcessedAt" INTEGER NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NULL,
    "LastError" TEXT NULL
);

CREATE TABLE "BuyRequests" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_BuyRequests" PRIMARY KEY,
    "OrganizationId" TEXT NOT NULL,
    "CategoryId" TEXT NOT NULL,
    "SpecRanges" TEXT NOT NULL,
    "Quantity" INTEGER NOT NULL,
    "QuantityUnit" TEXT NOT NULL,
    "TargetAmount" INTEGER NOT NULL,
    "TargetCurrency" TEXT NOT NULL,
    "TargetUnit" TEXT NOT NULL,
    "TargetUsd" INTEGER NULL,
    "Incoterm" TEXT NOT NULL,
    "NamedPlace" TEXT NOT NULL,
    "DeliveryBy" INTEGER NOT NULL,
    "OriginCountries" TEXT NOT NULL,
    "Note" TEXT NULL,
    "Status" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_BuyRequests_Categories_CategoryId" FOREIGN KEY ("CategoryId") REFERENCES "Categories" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_BuyRequests_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Matches" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Matches" PRIMARY KEY,
    "BuyRequestId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "Score" INTEGER NOT NULL,
    "Reasons" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_Matches_BuyRequests_BuyRequestId" FOREIGN KEY ("BuyRequestId") REFERENCES "BuyRequests" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_Matches_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_BuyRequests_CategoryId" ON "BuyRequests" ("CategoryId");

CREATE INDEX "IX_BuyRequests_OrganizationId_CreatedAt" ON "BuyRequests" ("OrganizationId", "CreatedAt");

CREATE INDEX "IX_BuyRequests_Status" ON "BuyRequests" ("Status");

CREATE UNIQUE INDEX "IX_Matches_BuyRequestId_ListingId" ON "Matches" ("BuyRequestId", "ListingId");

CREATE INDEX "IX_Matches_ListingId" ON "Matches" ("ListingId");

CREATE INDEX "IX_Notifications_UserId_CreatedAt" ON "Notifications" ("UserId", "CreatedAt");

CREATE INDEX "IX_OutboxMessages_ProcessedAt_Id" ON "OutboxMessages" ("ProcessedAt", "Id");
