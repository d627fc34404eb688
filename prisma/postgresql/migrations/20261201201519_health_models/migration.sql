-- CreateTable
CREATE TABLE "health_models" (
    "version" TEXT NOT NULL,
    "name" TEXT,
    "definition" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "recorded_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "health_models_pkey" PRIMARY KEY ("version")
);
