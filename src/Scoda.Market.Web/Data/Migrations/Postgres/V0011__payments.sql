-- Scoda.Market schema V0011 (Postgres): payments. Each movement of money for a deal (deposit, balance, L/C, documentary
-- collection, payout, refund), the calls to Stripe staged for the worker, the Stripe events seen (by id, for
-- de-duplication) and organizations' Stripe connected accounts. The CREATE statements match `schema-script`.

CREATE TABLE "StripeWebhookEvents" (
    "Id" character varying(255) NOT NULL,
    "Type" character varying(100) NOT NULL,
    "ApiVersion" character varying(64),
    "CreatedAt" timestamp with time zone NOT NULL,
    "ReceivedAt" timestamp with time zone NOT NULL,
    "Applied" boolean NOT NULL,
    CONSTRAINT "PK_StripeWebhookEvents" PRIMARY KEY ("Id")
);

CREATE TABLE "PayoutAccounts" (
    "OrganizationId" uuid NOT NULL,
    "StripeAccountId" character varying(255) NOT NULL,
    "PayoutsEnabled" boolean NOT NULL,
    "DetailsSubmitted" boolean NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_PayoutAccounts" PRIMARY KEY ("OrganizationId"),
    CONSTRAINT "FK_PayoutAccounts_Organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "Organizations" ("Id") ON DELETE CASCADE
);

CREATE TABLE "Payments" (
    "Id" uuid NOT NULL,
    "DealId" uuid NOT NULL,
    "Kind" character varying(24) NOT NULL,
    "Provider" character varying(16) NOT NULL,
    "Status" character varying(16) NOT NULL,
    "Amount" numeric(18,6) NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Reference" character varying(32) NOT NULL,
    "IdempotencyKey" character varying(100),
    "RequestHash" character varying(64),
    "ActiveSlot" character varying(24),
    "ParentPaymentId" uuid,
    "OrganizationId" uuid,
    "CreatedBy" uuid,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "ReceivedAmount" numeric(18,6) NOT NULL,
    "FeeAmount" numeric(18,6) NOT NULL,
    "ValueDate" date,
    "BankReference" character varying(100),
    "ConfirmedBy" uuid,
    "ConfirmedAt" timestamp with time zone,
    "IssuingBank" character varying(100),
    "InstrumentNumber" character varying(100),
    "ExpiresOn" date,
    "CheckoutSessionId" character varying(255),
    "CheckoutUrl" character varying(2000),
    "PaymentIntentId" character varying(255),
    "StripeObjectId" character varying(255),
    "LastError" character varying(500),
    "Version" integer NOT NULL,
    CONSTRAINT "PK_Payments" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Payments_Deals_DealId" FOREIGN KEY ("DealId") REFERENCES "Deals" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "StripeOperations" (
    "Id" uuid NOT NULL,
    "PaymentId" uuid NOT NULL,
    "Kind" character varying(32) NOT NULL,
    "Status" character varying(16) NOT NULL,
    "IdempotencyKey" character varying(100) NOT NULL,
    "Attempts" integer NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "NextAttemptAt" timestamp with time zone NOT NULL,
    "LeaseUntil" timestamp with time zone,
    "CompletedAt" timestamp with time zone,
    "LastError" character varying(500),
    CONSTRAINT "PK_StripeOperations" PRIMARY KEY ("Id"),
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
