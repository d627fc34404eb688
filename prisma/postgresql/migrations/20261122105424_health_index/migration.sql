-- CreateTable
CREATE TABLE "health_snapshots" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "model_version" TEXT NOT NULL,
    "health_index" DOUBLE PRECISION,
    "grade" TEXT,
    "colour" TEXT,
    "risk_tier" TEXT,
    "value_tier" INTEGER,
    "coverage" DOUBLE PRECISION NOT NULL,
    "referral_score" DOUBLE PRECISION NOT NULL,
    "referral_ready" BOOLEAN NOT NULL,
    "arr" DOUBLE PRECISION,
    "breakdown" JSONB NOT NULL,
    "explanation" TEXT NOT NULL,
    "measure_values" JSONB NOT NULL,
    "computed_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "health_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "score_overrides" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "measure" TEXT,
    "value" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3),
    "cleared_at" TIMESTAMP(3),

    CONSTRAINT "score_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scoring_runs" (
    "id" SERIAL NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "model_version" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3),
    "status" TEXT NOT NULL,
    "accounts_scored" INTEGER NOT NULL DEFAULT 0,
    "accounts_skipped" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "scoring_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "health_snapshots_day_risk_tier_idx" ON "health_snapshots"("day", "risk_tier");

-- CreateIndex
CREATE INDEX "health_snapshots_day_health_index_idx" ON "health_snapshots"("day", "health_index");

-- CreateIndex
CREATE UNIQUE INDEX "health_snapshots_account_id_day_key" ON "health_snapshots"("account_id", "day");

-- CreateIndex
CREATE INDEX "score_overrides_account_id_created_at_idx" ON "score_overrides"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "scoring_runs_status_day_idx" ON "scoring_runs"("status", "day");

-- AddForeignKey
ALTER TABLE "health_snapshots" ADD CONSTRAINT "health_snapshots_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "score_overrides" ADD CONSTRAINT "score_overrides_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
