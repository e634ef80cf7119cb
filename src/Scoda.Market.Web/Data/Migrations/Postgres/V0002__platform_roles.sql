-- Platform roles (not organization roles). Ids are fixed so every installation agrees on them.
INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName", "ConcurrencyStamp") VALUES
    ('a1c0de00-0000-4000-8000-000000000001', 'Admin', 'ADMIN', 'a1c0de00-role-admin'),
    ('a1c0de00-0000-4000-8000-000000000002', 'Moderator', 'MODERATOR', 'a1c0de00-role-moderator'),
    ('a1c0de00-0000-4000-8000-000000000003', 'Ambassador', 'AMBASSADOR', 'a1c0de00-role-ambassador');
