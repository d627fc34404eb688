-- CreateTable
CREATE TABLE "health_models" (
    "version" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "definition" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "recorded_at" DATETIME NOT NULL
);
