-- CreateTable
CREATE TABLE "digest_subscriptions" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel_id" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "segment" TEXT,
    "industry" TEXT,
    "owner" TEXT,
    "min_arr" REAL,
    "risk_tiers" TEXT,
    "sections" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL,
    "slots_from" DATETIME NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "last_error" TEXT,
    "last_error_at" DATETIME
);

-- CreateTable
CREATE TABLE "digest_deliveries" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subscription_id" INTEGER NOT NULL,
    "slot_at" DATETIME NOT NULL,
    "state" TEXT NOT NULL,
    "claimed_by" TEXT,
    "claimed_at" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "posting_at" DATETIME,
    "posted_at" DATETIME,
    "message_ts" TEXT,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "scores_day" DATETIME,
    "error" TEXT,
    CONSTRAINT "digest_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "digest_subscriptions" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "scheduled_runs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "job" TEXT NOT NULL,
    "slot_at" DATETIME NOT NULL,
    "state" TEXT NOT NULL,
    "claimed_by" TEXT,
    "claimed_at" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "finished_at" DATETIME,
    "error" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "digest_subscriptions_channel_id_key" ON "digest_subscriptions"("channel_id");

-- CreateIndex
CREATE INDEX "digest_deliveries_state_claimed_at_idx" ON "digest_deliveries"("state", "claimed_at");

-- CreateIndex
CREATE UNIQUE INDEX "digest_deliveries_subscription_id_slot_at_key" ON "digest_deliveries"("subscription_id", "slot_at");

-- CreateIndex
CREATE INDEX "scheduled_runs_state_claimed_at_idx" ON "scheduled_runs"("state", "claimed_at");

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_runs_job_slot_at_key" ON "scheduled_runs"("job", "slot_at");
