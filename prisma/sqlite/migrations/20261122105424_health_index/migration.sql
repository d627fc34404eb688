-- CreateTable
CREATE TABLE "health_snapshots" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account_id" INTEGER NOT NULL,
    "day" DATETIME NOT NULL,
    "model_version" TEXT NOT NULL,
    "health_index" REAL,
    "grade" TEXT,
    "colour" TEXT,
    "risk_tier" TEXT,
    "value_tier" INTEGER,
    "coverage" REAL NOT NULL,
    "referral_score" REAL NOT NULL,
    "referral_ready" BOOLEAN NOT NULL,
    "arr" REAL,
    "breakdown" JSONB NOT NULL,
    "explanation" TEXT NOT NULL,
    "measure_values" JSONB NOT NULL,
    "computed_at" DATETIME NOT NULL,
    CONSTRAINT "health_snapshots_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "score_overrides" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account_id" INTEGER NOT NULL,
    "measure" TEXT,
    "value" REAL NOT NULL,
    "reason" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME,
    "cleared_at" DATETIME,
    CONSTRAINT "score_overrides_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "scoring_runs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "day" DATETIME NOT NULL,
    "model_version" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME,
    "status" TEXT NOT NULL,
    "accounts_scored" INTEGER NOT NULL DEFAULT 0,
    "accounts_skipped" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT
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
