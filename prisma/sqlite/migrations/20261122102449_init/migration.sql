-- CreateTable
CREATE TABLE "accounts" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "domain" TEXT,
    "industry" TEXT,
    "segment" TEXT,
    "lifecycle_stage" TEXT,
    "plan" TEXT,
    "arr" REAL,
    "seats_purchased" INTEGER,
    "contract_start" DATETIME,
    "renewal_date" DATETIME,
    "owner_email" TEXT,
    "owner_slack_id" TEXT,
    "attributes" JSONB,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signals_changed_at" DATETIME
);

-- CreateTable
CREATE TABLE "usage_metrics" (
    "account_id" INTEGER NOT NULL,
    "metric" TEXT NOT NULL,
    "day" DATETIME NOT NULL,
    "value" REAL NOT NULL,

    PRIMARY KEY ("account_id", "metric", "day"),
    CONSTRAINT "usage_metrics_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "usage_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "user_id" TEXT,
    "occurred_at" DATETIME NOT NULL,
    "properties" JSONB,
    CONSTRAINT "usage_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "tickets" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "subject" TEXT,
    "status" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "opened_at" DATETIME NOT NULL,
    "resolved_at" DATETIME,
    "csat" INTEGER,
    "sentiment" REAL,
    CONSTRAINT "tickets_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "survey_responses" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "respondent" TEXT,
    "responded_at" DATETIME NOT NULL,
    CONSTRAINT "survey_responses_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "crm_facts" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account_id" INTEGER NOT NULL,
    "field" TEXT NOT NULL,
    "value" TEXT,
    "observed_at" DATETIME NOT NULL,
    CONSTRAINT "crm_facts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "sentiment_notes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "author" TEXT,
    "sentiment" TEXT NOT NULL,
    "note" TEXT,
    "noted_at" DATETIME NOT NULL,
    CONSTRAINT "sentiment_notes_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "account_outcomes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "occurred_on" DATETIME NOT NULL,
    "arr_change" REAL,
    "note" TEXT,
    CONSTRAINT "account_outcomes_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER,
    "email" TEXT,
    "name" TEXT,
    "traits" JSONB,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contacts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" DATETIME,
    "revoked_at" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_external_id_key" ON "accounts"("external_id");

-- CreateIndex
CREATE INDEX "accounts_name_idx" ON "accounts"("name");

-- CreateIndex
CREATE INDEX "accounts_domain_idx" ON "accounts"("domain");

-- CreateIndex
CREATE INDEX "accounts_owner_slack_id_idx" ON "accounts"("owner_slack_id");

-- CreateIndex
CREATE INDEX "accounts_owner_email_idx" ON "accounts"("owner_email");

-- CreateIndex
CREATE UNIQUE INDEX "usage_events_external_id_key" ON "usage_events"("external_id");

-- CreateIndex
CREATE INDEX "usage_events_account_id_occurred_at_idx" ON "usage_events"("account_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_external_id_key" ON "tickets"("external_id");

-- CreateIndex
CREATE INDEX "tickets_account_id_opened_at_idx" ON "tickets"("account_id", "opened_at");

-- CreateIndex
CREATE UNIQUE INDEX "survey_responses_external_id_key" ON "survey_responses"("external_id");

-- CreateIndex
CREATE INDEX "survey_responses_account_id_responded_at_idx" ON "survey_responses"("account_id", "responded_at");

-- CreateIndex
CREATE UNIQUE INDEX "crm_facts_account_id_field_observed_at_key" ON "crm_facts"("account_id", "field", "observed_at");

-- CreateIndex
CREATE UNIQUE INDEX "sentiment_notes_external_id_key" ON "sentiment_notes"("external_id");

-- CreateIndex
CREATE INDEX "sentiment_notes_account_id_noted_at_idx" ON "sentiment_notes"("account_id", "noted_at");

-- CreateIndex
CREATE UNIQUE INDEX "account_outcomes_account_id_kind_occurred_on_key" ON "account_outcomes"("account_id", "kind", "occurred_on");

-- CreateIndex
CREATE UNIQUE INDEX "contacts_external_id_key" ON "contacts"("external_id");

-- CreateIndex
CREATE INDEX "contacts_account_id_idx" ON "contacts"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_name_key" ON "api_tokens"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
