-- Live sessions: a viewer cap per session (null: LiveSessions:MaxViewers), the pinned listing's available stock as
-- last announced (so one replica announces each change once), the author's name and organization on each event (as
-- they were when it was written), and an index for the per-user chat limit that holds across replicas. People get an
-- optional display name that live chat and Q&A show.
ALTER TABLE "LiveSessions" ADD COLUMN "ViewerCap" integer;
ALTER TABLE "LiveSessions" ADD COLUMN "PinnedAvailable" numeric(18,6);
ALTER TABLE "LiveEvents" ADD COLUMN "ActorName" character varying(60);
ALTER TABLE "LiveEvents" ADD COLUMN "ActorOrganization" character varying(200);
CREATE INDEX "IX_LiveEvents_SessionId_ActorUserId_At" ON "LiveEvents" ("SessionId", "ActorUserId", "At");
ALTER TABLE "AspNetUsers" ADD COLUMN "DisplayName" character varying(60);
