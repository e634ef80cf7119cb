-- Live sessions: a viewer cap per session (null: LiveSessions:MaxViewers), the pinned listing's available stock as
-- last announced (so one replica announces each change once), the author's name and organization on each event (as
-- they were when it was written), and an index for the per-user chat limit that holds across replicas. People get an
-- optional display name that live chat and Q&A show.
ALTER TABLE "LiveSessions" ADD COLUMN "ViewerCap" INTEGER NULL;
ALTER TABLE "LiveSessions" ADD COLUMN "PinnedAvailable" INTEGER NULL;
ALTER TABLE "LiveEvents" ADD COLUMN "ActorName" TEXT NULL;
ALTER TABLE "LiveEvents" ADD COLUMN "ActorOrganization" TEXT NULL;
CREATE INDEX "IX_LiveEvents_SessionId_ActorUserId_At" ON "LiveEvents" ("SessionId", "ActorUserId", "At");
ALTER TABLE "AspNetUsers" ADD COLUMN "DisplayName" TEXT NULL;
