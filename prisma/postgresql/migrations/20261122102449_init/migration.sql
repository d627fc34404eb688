-- CreateTable
CREATE TABLE "accounts" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "domain" TEXT,
    "industry" TEXT,
    "segment" TEXT,
    "lifecycle_stage" TEXT,
    "plan" TEXT,
    "arr" DOUBLE PRECISION,
    "seats_purchased" INTEGER,
    "contract_start" TIMESTAMP(3),
    "renewal_date" TIMESTAMP(3),
    "owner_email" TEXT,
    "owner_slack_id" TEXT,
    "attributes" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signals_changed_at" TIMESTAMP(3),

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_metrics" (
    "account_id" INTEGER NOT NULL,
    "metric" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "usage_metrics_pkey" PRIMARY KEY ("account_id","metric","day")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "user_id" TEXT,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "properties" JSONB,

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tickets" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "subject" TEXT,
    "status" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL,
    "resolved_at" TIMESTAMP(3),
    "csat" INTEGER,
    "sentiment" DOUBLE PRECISION,

    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_responses" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "respondent" TEXT,
    "responded_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "survey_responses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_facts" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "field" TEXT NOT NULL,
    "value" TEXT,
    "observed_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "crm_facts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sentiment_notes" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "author" TEXT,
    "sentiment" TEXT NOT NULL,
    "note" TEXT,
    "noted_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "sentiment_notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_outcomes" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "occurred_on" TIMESTAMP(3) NOT NULL,
    "arr_change" DOUBLE PRECISION,
    "note" TEXT,

    CONSTRAINT "account_outcomes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "account_id" INTEGER,
    "email" TEXT,
    "name" TEXT,
    "traits" JSONB,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "usage_metrics" ADD CONSTRAINT "usage_metrics_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_facts" ADD CONSTRAINT "crm_facts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sentiment_notes" ADD CONSTRAINT "sentiment_notes_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_outcomes" ADD CONSTRAINT "account_outcomes_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
