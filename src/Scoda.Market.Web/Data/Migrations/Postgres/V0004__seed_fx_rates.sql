-- Seed FX rates: units of each currency per 1 USD, dated 2026-11-20. They are indicative starting values for a fresh
-- installation, not market data: an admin keeps them current with PUT /api/admin/fx-rates, which also reprices listings.
INSERT INTO "FxRates" ("Currency", "PerUsd", "AsOf", "UpdatedAt", "UpdatedBy") VALUES
    ('USD', 1, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('CNY', 7.12, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('RUB', 81.50, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('KZT', 518.00, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('UZS', 12050.00, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('KGS', 87.45, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('TJS', 9.45, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('INR', 88.70, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('PKR', 281.00, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('BYN', 3.05, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL),
    ('EUR', 0.865, '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', NULL);
