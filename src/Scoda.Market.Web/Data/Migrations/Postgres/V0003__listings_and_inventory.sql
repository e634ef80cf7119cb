-- Scoda.Market schema V0003 (PostgreSQL): commodity taxonomy, FX rates, listings, warehouses, stock ledger, reservations.
-- The CREATE statements of these tables in `dotnet run --project src/Scoda.Market.Web -- schema-script postgres`.
-- Never edit an applied script: the migrator refuses a changed checksum. Put changes in a new V000N script.

CREATE TABLE "Categories" (
    "Id" uuid NOT NULL,
    "Key" character varying(64) NOT NULL,
    "ParentId" uuid,
    "Path" character varying(400) NOT NULL,
    "Name" text NOT NULL,
    "HsCode" character varying(6),
    "Unit" character varying(8),
    "Specs" text NOT NULL,
    "SortOrder" integer NOT NULL,
    CONSTRAINT "PK_Categories" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Categories_Categories_ParentId" FOREIGN KEY ("ParentId") REFERENCES "Categories" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "FxRates" (
    "Currency" character(3) NOT NULL,
    "PerUsd" numeric(18,6) NOT NULL,
    "AsOf" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "UpdatedBy" uuid,
    CONSTRAINT "PK_FxRates" PRIMARY KEY ("Currency")
);

CREATE TABLE "ReferenceDataRevisions" (
    "Name" character varying(64) NOT NULL,
    "Checksum" character varying(64) NOT NULL,
    "AppliedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_ReferenceDataRevisions" PRIMARY KEY ("Name")
);

CREATE TABLE "Listings" (
    "Id" uuid NOT NULL,
    "OrganizationId" uuid NOT NULL,
    "CategoryId" uuid NOT NULL,
    "Status" character varying(16) NOT NULL,
    "Title" text NOT NULL,
    "Description" text NOT NULL,
    "HsCode" character varying(10) NOT NULL,
    "Specs" text NOT NULL,
    "OriginCountry" character(2) NOT NULL,
    "OriginRegion" character varying(100),
    "Quantity" numeric(18,6) NOT NULL,
    "QuantityUnit" character varying(8) NOT NULL,
    "MinOrder" numeric(18,6) NOT NULL,
    "MinOrderUnit" character varying(8) NOT NULL,
    "PriceAmount" numeric(18,6) NOT NULL,
    "PriceCurrency" character(3) NOT NULL,
    "PriceUnit" character varying(8) NOT NULL,
    "NormalizedPriceUsd" numeric(18,6),
    "NormalizedPriceCny" numeric(18,6),
    "NormalizedUnit" character varying(8) NOT NULL,
    "Incoterm" character(3) NOT NULL,
    "NamedPlace" character varying(120) NOT NULL,
    "DeliveryMode" character varying(16) NOT NULL,
    "PaymentTerms" text NOT NULL,
    "Packaging" character varying(32),
    "LeadTimeDays" integer NOT NULL,
    "Certificates" text NOT NULL,
    "ValidUntil" timestamp with time zone NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "PublishedAt" timestamp with time zone,
    "Version" uuid NOT NULL,
    CONSTRAINT "PK_Listings" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Listings_Categories_CategoryId" FOREIGN KEY ("CategoryId") REFERENCES "Categories" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Listings_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Warehouses" (
    "Id" uuid NOT NULL,
    "OrganizationId" uuid NOT NULL,
    "Name" character varying(120) NOT NULL,
    "Kind" character varying(16) NOT NULL,
    "CountryCode" character(2) NOT NULL,
    "City" character varying(80) NOT NULL,
    "Latitude" numeric(18,6) NOT NULL,
    "Longitude" numeric(18,6) NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Warehouses" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Warehouses_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ListingFiles" (
    "Id" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "Kind" character varying(16) NOT NULL,
    "FileName" character varying(255) NOT NULL,
    "ContentType" character varying(100) NOT NULL,
    "Size" bigint NOT NULL,
    "Sha256" character varying(64) NOT NULL,
    "UploadedAt" timestamp with time zone NOT NULL,
    "UploadedBy" uuid NOT NULL,
    CONSTRAINT "PK_ListingFiles" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_ListingFiles_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ListingPriceChanges" (
    "Id" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "Amount" numeric(18,6) NOT NULL,
    "Currency" character(3) NOT NULL,
    "Unit" character varying(8) NOT NULL,
    "ChangedAt" timestamp with time zone NOT NULL,
    "ChangedBy" uuid NOT NULL,
    CONSTRAINT "PK_ListingPriceChanges" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_ListingPriceChanges_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE CASCADE
);

CREATE TABLE "StockLots" (
    "Id" uuid NOT NULL,
    "WarehouseId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "LotNumber" character varying(64) NOT NULL,
    "QualityCertificate" character varying(120),
    "Unit" character varying(8) NOT NULL,
    "OnHand" numeric(18,6) NOT NULL,
    "Reserved" numeric(18,6) NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_StockLots" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_StockLots_Listings_ListingId" FOREIGN KEY ("ListingId") REFERENCES "Listings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_StockLots_Warehouses_WarehouseId" FOREIGN KEY ("WarehouseId") REFERENCES "Warehouses" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Reservations" (
    "Id" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "WarehouseId" uuid NOT NULL,
    "LotId" uuid NOT NULL,
    "OrganizationId" uuid NOT NULL,
    "Quantity" numeric(18,6) NOT NULL,
    "Unit" character varying(8) NOT NULL,
    "Status" character varying(16) NOT NULL,
    "ExpiresAt" timestamp with time zone NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "EndedAt" timestamp with time zone,
    "CreatedBy" uuid NOT NULL,
    CONSTRAINT "PK_Reservations" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Reservations_StockLots_LotId" FOREIGN KEY ("LotId") REFERENCES "StockLots" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "StockMovements" (
    "Id" uuid NOT NULL,
    "WarehouseId" uuid NOT NULL,
    "ListingId" uuid NOT NULL,
    "LotId" uuid NOT NULL,
    "Kind" character varying(16) NOT NULL,
    "OnHandDelta" numeric(18,6) NOT NULL,
    "ReservedDelta" numeric(18,6) NOT NULL,
    "Unit" character varying(8) NOT NULL,
    "Reason" character varying(200),
    "Note" character varying(500),
    "ReservationId" uuid,
    "CounterpartWarehouseId" uuid,
    "ActorUserId" uuid,
    "At" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_StockMovements" PRIMARY KEY ("Id"),
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
