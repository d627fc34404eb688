-- DropIndex
DROP INDEX "health_snapshots_day_health_index_idx";

-- DropIndex
DROP INDEX "health_snapshots_day_risk_tier_idx";

-- CreateIndex
CREATE INDEX "health_snapshots_day_figures_idx" ON "health_snapshots"("day", "risk_tier", "health_index", "arr", "value_tier", "referral_ready", "referral_score", "account_id");
