-- Saved searches (a buyer organization's standing search, percolated like buy requests) and the listings each has
-- already alerted about, so a listing alerts a saved search once however often it is re-indexed.
CREATE TABLE "SavedSearches" (
    "Id" uuid NOT NULL,
    "OrganizationId" uuid NOT NULL,
    "Name" character varying(100) NOT NULL,
    "Query" text NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_SavedSearches" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_SavedSearches_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SavedSearchAlerts" (
    "SavedSearchId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_SavedSearchAlerts" PRIMARY KEY ("SavedSearchId", "ListingId"),
    CONSTRAINT "FK_SavedSearchAlerts_SavedSearches_SavedSearchId" FOREIGN KEY ("SavedSearchId") REFERENCES "SavedSearches" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_SavedSearches_OrganizationId_CreatedAt" ON "SavedSearches" ("OrganizationId", "CreatedAt");
