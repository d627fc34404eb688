-- CreateTable
CREATE TABLE "recovery_cases" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account_id" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "open_key" TEXT,
    "summary" TEXT NOT NULL,
    "times_fired" INTEGER NOT NULL DEFAULT 1,
    "last_fired_at" DATETIME NOT NULL,
    "assignee_slack_id" TEXT,
    "due_on" DATETIME,
    "snoozed_until" DATETIME,
    "open_since" DATETIME NOT NULL,
    "reminded_at" DATETIME,
    "escalated_at" DATETIME,
    "outcome" TEXT,
    "note" TEXT,
    "resolved_at" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "shown_revision" INTEGER NOT NULL DEFAULT 0,
    "channel" TEXT,
    "message_post_id" INTEGER,
    "opened_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "recovery_cases_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "note" TEXT,
    "details" JSONB,
    "at" DATETIME NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    CONSTRAINT "case_events_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "recovery_cases" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_posts" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "case_id" INTEGER,
    "event_id" INTEGER,
    "channel" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" DATETIME NOT NULL,
    "claimed_at" DATETIME,
    "sent_at" DATETIME,
    "sent_channel" TEXT,
    "ts" TEXT,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "case_posts_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "recovery_cases" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "recovery_cases_state_open_since_idx" ON "recovery_cases"("state", "open_since");

-- CreateIndex
CREATE INDEX "recovery_cases_assignee_slack_id_idx" ON "recovery_cases"("assignee_slack_id");

-- CreateIndex
CREATE INDEX "recovery_cases_message_post_id_idx" ON "recovery_cases"("message_post_id");

-- CreateIndex
CREATE UNIQUE INDEX "recovery_cases_account_id_reason_open_key_key" ON "recovery_cases"("account_id", "reason", "open_key");

-- CreateIndex
CREATE INDEX "case_events_case_id_at_idx" ON "case_events"("case_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "case_events_case_id_idempotency_key_key" ON "case_events"("case_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "case_posts_status_next_attempt_at_idx" ON "case_posts"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "case_posts_kind_channel_created_at_idx" ON "case_posts"("kind", "channel", "created_at");

-- CreateIndex
CREATE INDEX "case_posts_case_id_idx" ON "case_posts"("case_id");
