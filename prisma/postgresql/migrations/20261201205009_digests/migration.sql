-- CreateTable
CREATE TABLE "digest_subscriptions" (
    "id" SERIAL NOT NULL,
    "channel_id" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "segment" TEXT,
    "industry" TEXT,
    "owner" TEXT,
    "min_arr" DOUBLE PRECISION,
    "risk_tiers" TEXT,
    "sections" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "slots_from" TIMESTAMP(3) NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "last_error" TEXT,
    "last_error_at" TIMESTAMP(3),

    CONSTRAINT "digest_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "digest_deliveries" (
    "id" SERIAL NOT NULL,
    "subscription_id" INTEGER NOT NULL,
    "slot_at" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "posting_at" TIMESTAMP(3),
    "posted_at" TIMESTAMP(3),
    "message_ts" TEXT,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "scores_day" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "digest_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduled_runs" (
    "id" SERIAL NOT NULL,
    "job" TEXT NOT NULL,
    "slot_at" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "finished_at" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "scheduled_runs_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "digest_deliveries" ADD CONSTRAINT "digest_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "digest_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
