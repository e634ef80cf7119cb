-- Scoda.Market schema V0010 (Sqlite): deal flow. The deal's own event log (numbered per deal), the documents of
-- its checklist, the contract's hash and stored file; acceptances waiting for a second Owner; the organization's
-- approval threshold. The CREATE statements match `schema-script`. Never edit an applied script.

ALTER TABLE "Organizations" ADD COLUMN "ApprovalThresholdAmount" INTEGER NULL;
ALTER TABLE "Organizations" ADD COLUMN "ApprovalThresholdCurrency" TEXT NULL;
ALTER TABLE "Deals" ADD COLUMN "LastSequence" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Deals" ADD COLUMN "ContractSha256" TEXT NULL;
ALTER TABLE "Deals" ADD COLUMN "ContractFileId" TEXT NULL;

CREATE TABLE "OfferApprovals" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OfferApprovals" PRIMARY KEY,
    "RoomId" TEXT NOT NULL,
    "OfferId" TEXT NOT NULL,
    "OrganizationId" TEXT NOT NULL,
    "RequestedBy" TEXT NOT NULL,
    "RequestedAt" INTEGER NOT NULL,
    "TotalAmount" INTEGER NOT NULL,
    "Currency" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "ApprovedBy" TEXT NULL,
    "ApprovedAt" INTEGER NULL,
    CONSTRAINT "FK_OfferApprovals_Offers_OfferId" FOREIGN KEY ("OfferId") REFERENCES "Offers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "DealEvents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_DealEvents" PRIMARY KEY,
    "DealId" TEXT NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "FromStatus" TEXT NULL,
    "ToStatus" TEXT NULL,
    "ActorUserId" TEXT NULL,
    "Reason" TEXT NULL,
    "DocumentId" TEXT NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "FK_DealEvents_Deals_DealId" FOREIGN KEY ("DealId") REFERENCES "Deals" ("Id") ON DELETE CASCADE
);

CREATE TABLE "DealDocuments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_DealDocuments" PRIMARY KEY,
    "DealId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "FileName" TEXT NOT NULL,
    "ContentType" TEXT NOT NULL,
    "Size" INTEGER NOT NULL,
    "Sha256" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "UploadedBy" TEXT NOT NULL,
    "UploadedAt" INTEGER NOT NULL,
    "ReviewedBy" TEXT NULL,
    "ReviewedAt" INTEGER NULL,
    "RejectionReason" TEXT NULL,
    CONSTRAINT "FK_DealDocuments_Deals_DealId" FOREIGN KEY ("DealId") REFERENCES "Deals" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_DealDocuments_DealId_Kind_UploadedAt" ON "DealDocuments" ("DealId", "Kind", "UploadedAt");
CREATE UNIQUE INDEX "IX_DealEvents_DealId_Sequence" ON "DealEvents" ("DealId", "Sequence");
CREATE UNIQUE INDEX "IX_OfferApprovals_OfferId" ON "OfferApprovals" ("OfferId");
CREATE INDEX "IX_OfferApprovals_RoomId" ON "OfferApprovals" ("RoomId");
