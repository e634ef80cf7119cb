-- Live presence: each replica keeps one heartbeat row, refreshed every tick, and a viewer counts while its replica's
-- heartbeat is fresh. Before, every tick rewrote the SeenAt of every viewer row of the replica (2,000 rows every 2 s for a
-- 2,000-viewer session); now it writes one row. Viewer rows left by the old scheme have no heartbeat and expire at the
-- first tick, as those of a replica that stopped.
CREATE TABLE "LiveReplicas" (
    "HostId" character varying(64) NOT NULL,
    "SeenAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_LiveReplicas" PRIMARY KEY ("HostId")
);
DROP INDEX "IX_LiveViewers_SessionId_SeenAt";
ALTER TABLE "LiveViewers" DROP COLUMN "SeenAt";
CREATE INDEX "IX_LiveViewers_SessionId_ViewerKey" ON "LiveViewers" ("SessionId", "ViewerKey");
