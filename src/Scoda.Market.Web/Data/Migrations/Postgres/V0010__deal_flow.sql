-- Scoda.Market schema V0010 (Postgres): deal flow. The deal's own event log (numbered per deal), the documents of
-- its checklist, the contract's hash and stored file; acceptances waiting for a second Owner; the organization's
-- approval threshold. The CREATE statements match `schema-script`. Never edit an applied script.

ALTER TABLE "Organizations" ADD COLUMN "ApprovalThresholdAmount" numeric(18,6);
ALTER TABLE "Organizations" ADD COLUMN "ApprovalThresholdCurrency" character varying(3);
ALTER TABLE "Deals" ADD COLUMN "LastSequence" bigint NOT NULL DEFAULT 0;
ALTER TABLE "Deals" ADD COLUMN "ContractSha256" character varying(64);
ALTER TABLE "Deals" ADD COLUMN "ContractFileId" uuid;

CREATE TABLE "OfferApprovals" (
    "Id" uuid NOT NULL,
    "RoomId" uuid NOT NULL,
    "OfferId" uuid NOT NULL,
    "OrganizationId" uuid NOT NULL,
    "RequestedBy" uuid NOT NULL,
    "RequestedAt" timestamp with time zone NOT NULL,
    "TotalAmount" numeric(18,6) NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Status" character varying(16) NOT NULL,
    "ApprovedBy" uuid,
    "ApprovedAt" timestamp with time zone,
    CONSTRAINT "PK_OfferApprovals" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_OfferApprovals_Offers_OfferId" FOREIGN KEY ("OfferId") REFERENCES "Offers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "DealEvents" (
    "Id" uuid NOT NULL,
    "DealId" uuid NOT NULL,
    "Sequence" bigint NOT NULL,
    "Kind" character varying(32) NOT NULL,
    "FromStatus" character varying(16),
    "ToStatus" character varying(16),
    "ActorUserId" uuid,
    "Reason" character varying(500),
    "DocumentId" uuid,
    "At" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_DealEvents" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_DealEvents_Deals_DealId" FOREIGN KEY ("DealId") REFERENCES "Deals" ("Id") ON DELETE CASCADE
);

CREATE TABLE "DealDocuments" (
    "Id" uuid NOT NULL,
    "DealId" uuid NOT NULL,
    "Kind" character varying(32) NOT NULL,
    "FileName" character varying(255) NOT NULL,
    "ContentType" character varying(100) NOT NULL,
    "Size" bigint NOT NULL,
    "Sha256" character varying(64) NOT NULL,
    "Status" character varying(16) NOT NULL,
    "UploadedBy" uuid NOT NULL,
    "UploadedAt" timestamp with time zone NOT NULL,
    "ReviewedBy" uuid,
    "ReviewedAt" timestamp with time zone,
    "RejectionReason" character varying(500),
    CONSTRAINT "PK_DealDocuments" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_DealDocuments_Deals_DealId" FOREIGN KEY ("DealId") REFERENCES "Deals" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_DealDocuments_DealId_Kind_UploadedAt" ON "DealDocuments" ("DealId", "Kind", "UploadedAt");
CREATE UNIQUE INDEX "IX_DealEvents_DealId_Sequence" ON "DealEvents" ("DealId", "Sequence");
CREATE UNIQUE INDEX "IX_OfferApprovals_OfferId" ON "OfferApprovals" ("OfferId");
CREATE INDEX "IX_OfferApprovals_RoomId" ON "OfferApprovals" ("RoomId");
