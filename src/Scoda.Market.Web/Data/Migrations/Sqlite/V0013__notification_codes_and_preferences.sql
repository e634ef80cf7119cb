-- Notifications carry a stable code with parameters (rendered in the reader's language) and when their mail went out;
-- users keep a language and a mail choice (in-app, immediate, daily digest). SQLite cannot add a NOT NULL column
-- without a default, so the notifications table is rebuilt; older notifications keep their English text and no code.
CREATE TABLE "Notifications_V0013" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Notifications" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Code" TEXT NULL,
    "Params" TEXT NOT NULL,
    "Link" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ReadAt" INTEGER NULL,
    "MailedAt" INTEGER NULL
);
-- Notifications made before mail existed are marked mailed, so nobody gets a backlog.
INSERT INTO "Notifications_V0013" ("Id", "UserId", "Kind", "Title", "Body", "Code", "Params", "Link", "CreatedAt", "ReadAt", "MailedAt")
SELECT "Id", "UserId", "Kind", "Title", "Body", NULL, '{}', "Link", "CreatedAt", "ReadAt", "CreatedAt" FROM "Notifications";
DROP TABLE "Notifications";
ALTER TABLE "Notifications_V0013" RENAME TO "Notifications";
CREATE INDEX "IX_Notifications_UserId_CreatedAt" ON "Notifications" ("UserId", "CreatedAt");
CREATE INDEX "IX_Notifications_MailedAt_CreatedAt" ON "Notifications" ("MailedAt", "CreatedAt");

CREATE TABLE "UserPreferences" (
    "UserId" TEXT NOT NULL CONSTRAINT "PK_UserPreferences" PRIMARY KEY,
    "Language" TEXT NOT NULL,
    "Mail" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "DigestSentAt" INTEGER NULL
);
CREATE INDEX "IX_UserPreferences_Mail" ON "UserPreferences" ("Mail");

-- Match reasons became objects { code, params, text }; the old English strings cannot be read as such. Emptied here,
-- they are filled again the next time the listing or buy request is matched (a reindex re-matches every listing).
UPDATE "Matches" SET "Reasons" = '[]';
