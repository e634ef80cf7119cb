-- Scoda.Market schema V0003 (SQLite): commodity taxonomy, FX rates, listings, warehouses, stock ledger, reservations.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script sqlite`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "Categories" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Categories" PRIMARY KEY,
    "Key" TEXT NOT NULL,
    "ParentId" TEXT NULL,
    "Path" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "HsCode" TEXT NULL,
    "Unit" TEXT NULL,
    "Specs" TEXT NOT NULL,
    "SortOrder" INTEGER NOT NULL,
    CONSTRAINT "FK_Categories_Categories_ParentId" FOREIGN KEY ("ParentId") REFERENCES "Categories" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "FxRates" (
    "Currency" TEXT NOT NULL CONSTRAINT "PK_FxRates" PRIMARY KEY,
    "PerUsd" INTEGER NOT NULL,
    "AsOf" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "UpdatedBy" TEXT NULL
);

CREATE TABLE "ReferenceDataRevisions" (
    "Name" TEXT NOT NULL CONSTRAINT "PK_ReferenceDataRevisions" PRIMARY KEY,
    "Checksum" TEXT NOT NULL,
    "AppliedAt" INTEGER NOT NULL
);

CREATE TABLE "Listings" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Listings" PRIMARY KEY,
    "OrganizationId" TEXT NOT NULL,
    "CategoryId" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "HsCode" TEXT NOT NULL,
    "Specs" TEXT NOT NULL,
    "OriginCountry" TEXT NOT NULL,
    "OriginRegion" TEXT NULL,
    "Quantity" INTEGER NOT NULL,
    "QuantityUnit" TEXT NOT NULL,
    "MinOrder" INTEGER NOT NULL,
    "MinOrderUnit" TEXT NOT NULL,
    "PriceAmount" INTEGER NOT NULL,
    "PriceCurrency" TEXT NOT NULL,
    "PriceUnit" TEXT NOT NULL,
    "NormalizedPriceUsd" INTEGER NULL,
    "NormalizedPriceCny" INTEGER NULL,
    "NormalizedUnit" TEXT NOT NULL,
    "Incoterm" TEXT NOT NULL,
    "NamedPlace" TEXT NOT NULL,
    "DeliveryMode" TEXT NOT NULL,
    "PaymentTerms" TEXT NOT NULL,
    "Packaging" TEXT NULL,
    "LeadTimeDays" INTEGER NOT NULL,
    "Certificates" TEXT NOT NULL,
    "ValidUntil" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "PublishedAt" INTEGER NULL,
    "Version" TEXT NOT NULL,
    CONSTRAINT "FK_Listings_Categories_CategoryId" FOREIGN KEY ("CategoryId") REFERENCES "Categories" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Listings_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Warehouses" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Warehouses" PRIMARY KEY,
    "OrganizationId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "CountryCode" TEXT NOT NULL,
    "City" TEXT NOT NULL,
    "Latitude" INTEGER NOT NULL,
    "Longitude" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_Warehouses_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ListingFiles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ListingFiles" PRIMARY KEY,
    "ListingId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "FileName" TEXT NOT NULL,
    "ContentType" TEXT NOT NULL,
    "Size" INTEGER NOT NULL,
    "Sha256" TEXT NOT NULL,
    "UploadedAt" INTEGER NOT NULL,
    "UploadedBy" TEXT NOT NULL,
    CONSTRAINT "FK_ListingFiles_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ListingPriceChanges" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ListingPriceChanges" PRIMARY KEY,
    "ListingId" TEXT NOT NULL,
    "Amount" INTEGER NOT NULL,
    "Currency" TEXT NOT NULL,
    "Unit" TEXT NOT NULL,
    "ChangedAt" INTEGER NOT NULL,
    "ChangedBy" TEXT NOT NULL,
    CONSTRAINT "FK_ListingPriceChanges_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE CASCADE
);

CREATE TABLE "StockLots" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_StockLots" PRIMARY KEY,
    "WarehouseId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "LotNumber" TEXT NOT NULL,
    "QualityCertificate" TEXT NULL,
    "Unit" TEXT NOT NULL,
    "OnHand" INTEGER NOT NULL,
    "Reserved" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_StockLots_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_StockLots_Warehouses_WarehouseId" FOREIGN KEY ("WarehouseId") REFERENCES "Warehouses" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Reservations" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Reservations" PRIMARY KEY,
    "ListingId" TEXT NOT NULL,
    "WarehouseId" TEXT NOT NULL,
    "LotId" TEXT NOT NULL,
    "OrganizationId" TEXT NOT NULL,
    "Quantity" INTEGER NOT NULL,
    "Unit" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "EndedAt" INTEGER NULL,
    "CreatedBy" TEXT NOT NULL,
    CONSTRAINT "FK_Reservations_StockLots_LotId" FOREIGN KEY ("LotId") REFERENCES "StockLots" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "StockMovements" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_StockMovements" PRIMARY KEY,
    "WarehouseId" TEXT NOT NULL,
    "ListingId" TEXT NOT NULL,
    "LotId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "OnHandDelta" INTEGER NOT NULL,
    "ReservedDelta" INTEGER NOT NULL,
    "Unit" TEXT NOT NULL,
    "Reason" TEXT NULL,
    "Note" TEXT NULL,
    "ReservationId" TEXT NULL,
    "CounterpartWarehouseId" TEXT NULL,
    "ActorUserId" TEXT NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "FK_StockMovements_StockLots_LotId" FOREIGN KEY ("LotId") REFERENCES "StockLots" ("Id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "IX_Categories_Key" ON "Categories" ("Key");

CREATE INDEX "IX_Categories_ParentId" ON "Categories" ("ParentId");

CREATE INDEX "IX_Categories_Path" ON "Categories" ("Path");

CREATE INDEX "IX_ListingFiles_ListingId" ON "ListingFiles" ("ListingId");

CREATE INDEX "IX_ListingPriceChanges_ListingId_ChangedAt" ON "ListingPriceChanges" ("ListingId", "ChangedAt");

CREATE INDEX "IX_Listings_CategoryId" ON "Listings" ("CategoryId");

CREATE INDEX "IX_Listings_OrganizationId_CreatedAt" ON "Listings" ("OrganizationId", "CreatedAt");

CREATE INDEX "IX_Listings_Status_ValidUntil" ON "Listings" ("Status", "ValidUntil");

CREATE INDEX "IX_Reservations_ListingId" ON "Reservations" ("ListingId");

CREATE INDEX "IX_Reservations_LotId" ON "Reservations" ("LotId");

CREATE INDEX "IX_Reservations_Status_ExpiresAt" ON "Reservations" ("Status", "ExpiresAt");

CREATE INDEX "IX_StockLots_ListingId" ON "StockLots" ("ListingId");

CREATE UNIQUE INDEX "IX_StockLots_WarehouseId_ListingId_LotNumber" ON "StockLots" ("WarehouseId", "ListingId", "LotNumber");

CREATE INDEX "IX_StockMovements_LotId" ON "StockMovements" ("LotId");

CREATE INDEX "IX_StockMovements_WarehouseId_At" ON "StockMovements" ("WarehouseId", "At");

CREATE INDEX "IX_Warehouses_OrganizationId" ON "Warehouses" ("OrganizationId");
