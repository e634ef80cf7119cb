-- The data-protection key ring (cookies, bearer and refresh tokens, e-mail tokens) lives in the database, so every
-- replica reads the same keys without a shared volume. Xml is the key as ASP.NET Core writes it: encrypted with the
-- configured certificate (DataProtection:CertificatePath), or plain when none is configured.
CREATE TABLE "DataProtectionKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NULL
);
