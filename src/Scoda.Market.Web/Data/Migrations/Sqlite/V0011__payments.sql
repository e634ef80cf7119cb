-- Scoda.Market schema V0011 (Sqlite): payments. Each movement of money for a deal (deposit, balance, L/C, documentary
-- collection, payout, refund), the calls to Stripe staged for the worker, the Stripe events seen (by id, for
-- de-duplication) and organizations' Stripe connected accounts. The CREATE statements match `schema-script`.

CREATE TABLE "StripeWebhookEvents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_StripeWebhookEvents" PRIMARY KEY,
    "Type" TEXT NOT NULL,
    "ApiVersion" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ReceivedAt" INTEGER NOT NULL,
    "Applied" INTEGER NOT NULL
);

CREATE TABLE "PayoutAccounts" (
    "OrganizationId" TEXT NOT NULL CONSTRAINT "PK_PayoutAccounts" PRIMARY KEY,
    "StripeAccountId" TEXT NOT NULL,
    "PayoutsEnabled" INTEGER NOT NULL,
    "DetailsSubmitted" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_PayoutAccounts_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Payments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Payments" PRIMARY KEY,
    "DealId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Provider" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Amount" INTEGER NOT NULL,
    "Currency" TEXT NOT NULL,
    "Reference" TEXT NOT NULL,
    "IdempotencyKey" TEXT NULL,
    "RequestHash" TEXT NULL,
    "ActiveSlot" TEXT NULL,
    "ParentPaymentId" TEXT NULL,
    "OrganizationId" TEXT NULL,
    "CreatedBy" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "ReceivedAmount" INTEGER NOT NULL,
    "FeeAmount" INTEGER NOT NULL,
    "ValueDate" TEXT NULL,
    "BankReference" TEXT NULL,
    "ConfirmedBy" TEXT NULL,
    "ConfirmedAt" INTEGER NULL,
    "IssuingBank" TEXT NULL,
    "InstrumentNumber" TEXT NULL,
    "ExpiresOn" TEXT NULL,
    "CheckoutSessionId" TEXT NULL,
    "CheckoutUrl" TEXT NULL,
    "PaymentIntentId" TEXT NULL,
    "StripeObjectId" TEXT NULL,
    "LastError" TEXT NULL,
    "Version" INTEGER NOT NULL,
    CONSTRAINT "FK_Payments_Deals_DealId" FOREIGN KEY ("DealId") REFERENCES "Deals" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "StripeOperations" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_StripeOperations" PRIMARY KEY,
    "PaymentId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "IdempotencyKey" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NOT NULL,
    "LeaseUntil" INTEGER NULL,
    "CompletedAt" INTEGER NULL,
    "LastError" TEXT NULL,
    CONSTRAINT "FK_StripeOperations_Payments_PaymentId" FOREIGN KEY ("PaymentId") REFERENCES "Payments" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Payments_CheckoutSessionId" ON "Payments" ("CheckoutSessionId");

CREATE UNIQUE INDEX "IX_Payments_DealId_ActiveSlot" ON "Payments" ("DealId", "ActiveSlot");

CREATE INDEX "IX_Payments_DealId_CreatedAt" ON "Payments" ("DealId", "CreatedAt");

CREATE UNIQUE INDEX "IX_Payments_DealId_IdempotencyKey" ON "Payments" ("DealId", "IdempotencyKey");

CREATE INDEX "IX_Payments_PaymentIntentId" ON "Payments" ("PaymentIntentId");

CREATE UNIQUE INDEX "IX_Payments_Reference" ON "Payments" ("Reference");

CREATE INDEX "IX_Payments_Status_CreatedAt" ON "Payments" ("Status", "CreatedAt");

CREATE UNIQUE INDEX "IX_PayoutAccounts_StripeAccountId" ON "PayoutAccounts" ("StripeAccountId");

CREATE UNIQUE INDEX "IX_StripeOperations_IdempotencyKey" ON "StripeOperations" ("IdempotencyKey");

CREATE INDEX "IX_StripeOperations_PaymentId" ON "StripeOperations" ("PaymentId");

CREATE INDEX "IX_StripeOperations_Status_NextAttemptAt" ON "StripeOperations" ("Status", "NextAttemptAt");
