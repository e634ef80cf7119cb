-- Reservations outside deals carry the client's Idempotency-Key (unique per organization) and a hash of the request,
-- so a retry returns the reservation it made and the same key with another request is refused.
ALTER TABLE "Reservations" ADD COLUMN "IdempotencyKey" character varying(100);
ALTER TABLE "Reservations" ADD COLUMN "RequestHash" character varying(64);
CREATE UNIQUE INDEX "IX_Reservations_OrganizationId_IdempotencyKey" ON "Reservations" ("OrganizationId", "IdempotencyKey");
