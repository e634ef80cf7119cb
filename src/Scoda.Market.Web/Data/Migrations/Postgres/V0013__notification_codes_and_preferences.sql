-- Notifications carry a stable code with parameters (rendered in the reader's language) and when their mail went out;
-- users keep a language and a mail choice (in-app, immediate, daily digest). Older notifications keep their English
-- text and no code, and count as mailed, so nobody gets a backlog.
ALTER TABLE "Notifications" ADD COLUMN "Code" character varying(64);
ALTER TABLE "Notifications" ADD COLUMN "Params" text NOT NULL DEFAULT '{}';
ALTER TABLE "Notifications" ALTER COLUMN "Params" DROP DEFAULT;
ALTER TABLE "Notifications" ADD COLUMN "MailedAt" timestamp with time zone;
UPDATE "Notifications" SET "MailedAt" = "CreatedAt";
CREATE INDEX "IX_Notifications_MailedAt_CreatedAt" ON "Notifications" ("MailedAt", "CreatedAt");

CREATE TABLE "UserPreferences" (
    "UserId" uuid NOT NULL,
    "Language" character varying(8) NOT NULL,
    "Mail" character varying(16) NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "DigestSentAt" timestamp with time zone,
    CONSTRAINT "PK_UserPreferences" PRIMARY KEY ("UserId")
);
CREATE INDEX "IX_UserPreferences_Mail" ON "UserPreferences" ("Mail");

-- Match reasons became objects { code, params, text }; the old English strings cannot be read as such. Emptied here,
-- they are filled again the next time the listing or buy request is matched (a reindex re-matches every listing).
UPDATE "Matches" SET "Reasons" = '[]';
