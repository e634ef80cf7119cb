-- Deals to completion: the state a dispute was opened from (an admin may resume the deal there); the side each deal
-- event's actor acted for; organizations' legal names in Russian and Chinese for the contract.
ALTER TABLE "Deals" ADD COLUMN "DisputedFrom" TEXT NULL;
ALTER TABLE "DealEvents" ADD COLUMN "ActorSide" TEXT NULL;
ALTER TABLE "Organizations" ADD COLUMN "LegalNameRu" TEXT NULL;
ALTER TABLE "Organizations" ADD COLUMN "LegalNameZh" TEXT NULL;

-- A deal disputed before this version: the state it left, from its own log.
UPDATE "Deals" SET "DisputedFrom" = (
    SELECT e."FromStatus" FROM "DealEvents" e WHERE e."DealId" = "Deals"."Id" AND e."ToStatus" = 'Disputed' ORDER BY e."Sequence" DESC LIMIT 1)
WHERE "Status" = 'Disputed';

-- Earlier events: the system where nobody acted, else the side the actor belongs to now, else a platform admin.
UPDATE "DealEvents" SET "ActorSide" = CASE
    WHEN "ActorUserId" IS NULL THEN 'System'
    WHEN EXISTS (SELECT 1 FROM "Memberships" m JOIN "Deals" d ON d."BuyerOrganizationId" = m."OrganizationId"
                 WHERE d."Id" = "DealEvents"."DealId" AND m."UserId" = "DealEvents"."ActorUserId") THEN 'Buyer'
    WHEN EXISTS (SELECT 1 FROM "Memberships" m JOIN "Deals" d ON d."SellerOrganizationId" = m."OrganizationId"
                 WHERE d."Id" = "DealEvents"."DealId" AND m."UserId" = "DealEvents"."ActorUserId") THEN 'Seller'
    ELSE 'Admin' END;
