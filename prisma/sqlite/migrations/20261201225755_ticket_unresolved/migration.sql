-- CreateIndex
CREATE INDEX "tickets_priority_resolved_at_opened_at_idx" ON "tickets"("priority", "resolved_at", "opened_at");
