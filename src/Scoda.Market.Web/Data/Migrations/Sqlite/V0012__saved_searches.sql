-- Saved searches (a buyer organization's standing search, percolated like buy requests) and the listings each has
-- already alerted about, so a listing alerts a saved search once however often it is re-indexed.
CREATE TABLE "SavedSearches" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_SavedSearches" PRIMARY KEY,
    "OrganizationId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Query" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_SavedSearches_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SavedSearchAlerts" (
    "SavedSearchId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    CONSTRAINT "PK_SavedSearchAlerts" PRIMARY KEY ("SavedSearchId", "ListingId"),
    CONSTRAINT "FK_SavedSearchAlerts_SavedSearches_SavedSearchId" FOREIGN KEY ("SavedSearchId") REFERENCES "SavedSearches" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_SavedSearches_OrganizationId_CreatedAt" ON "SavedSearches" ("OrganizationId", "CreatedAt");
