"""Initial schema.

Aerich writes SQL for one dialect; this file carries the SQL it generated for each dialect the
gateway runs on, so the same migration history applies to SQLite and PostgreSQL.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

UPGRADE = {
    "postgres": """
        CREATE TABLE IF NOT EXISTS "tenant" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "org_id" VARCHAR(64) NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL,
    "activity_seq" BIGINT NOT NULL
);
COMMENT ON TABLE "tenant" IS 'An Auth0 organization; created on the first request that carries its ``org_id``.';
CREATE TABLE IF NOT EXISTS "activity_event" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "seq" BIGINT NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "entity_type" VARCHAR(32) NOT NULL,
    "entity_id" BIGINT NOT NULL,
    "number_id" BIGINT,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_activity_ev_tenant__1a3aad" UNIQUE ("tenant_id", "seq")
);
CREATE INDEX IF NOT EXISTS "idx_activity_ev_tenant__5c2787" ON "activity_event" ("tenant_id", "number_id", "seq");
COMMENT ON TABLE "activity_event" IS 'One thing that happened to a tenant, at a tenant-scoped monotonic ``seq`` (the cursor).';
CREATE TABLE IF NOT EXISTS "phone_number" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "sid" VARCHAR(34) NOT NULL UNIQUE,
    "phone_number" VARCHAR(20) NOT NULL,
    "friendly_name" VARCHAR(64) NOT NULL,
    "iso_country" VARCHAR(2) NOT NULL,
    "region" VARCHAR(64) NOT NULL,
    "locality" VARCHAR(128) NOT NULL,
    "number_type" VARCHAR(16) NOT NULL,
    "voice_enabled" BOOL NOT NULL,
    "sms_enabled" BOOL NOT NULL,
    "mms_enabled" BOOL NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "owner_id" VARCHAR(128),
    "label" VARCHAR(100),
    "website_id" VARCHAR(100),
    "monthly_fee" DECIMAL(10,4),
    "price_unit" VARCHAR(3),
    "released_at" TIMESTAMPTZ,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_phone_n_a7722d" ON "phone_number" ("phone_number");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__e1c9b8" ON "phone_number" ("tenant_id", "status", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__4b6645" ON "phone_number" ("tenant_id", "owner_id", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__8a2484" ON "phone_number" ("tenant_id", "sms_enabled", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__933eb9" ON "phone_number" ("tenant_id", "voice_enabled", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__eeaf6a" ON "phone_number" ("tenant_id", "mms_enabled", "id");
COMMENT ON COLUMN "phone_number"."number_type" IS 'LOCAL: local
MOBILE: mobile
TOLL_FREE: toll_free';
COMMENT ON COLUMN "phone_number"."status" IS 'ACTIVE: active
INACTIVE: inactive
RELEASED: released';
COMMENT ON TABLE "phone_number" IS 'A number bought through Trunkline; released numbers stay as history for their traffic.';
CREATE TABLE IF NOT EXISTS "call" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "sid" VARCHAR(34) UNIQUE,
    "direction" VARCHAR(16) NOT NULL,
    "from_address" VARCHAR(64) NOT NULL,
    "to_address" VARCHAR(64) NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "status_history" JSONB NOT NULL,
    "last_sequence" INT,
    "duration" INT,
    "price" DECIMAL(12,5),
    "price_unit" VARCHAR(3),
    "user_id" VARCHAR(128),
    "started_at" TIMESTAMPTZ,
    "ended_at" TIMESTAMPTZ,
    "number_id" BIGINT REFERENCES "phone_number" ("id") ON DELETE SET NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_call_tenant__fd28ef" ON "call" ("tenant_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_call_tenant__1c85fc" ON "call" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_call_tenant__250215" ON "call" ("tenant_id", "status", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_call_tenant__940b15" ON "call" ("tenant_id", "direction", "created_at", "id");
COMMENT ON COLUMN "call"."direction" IS 'INBOUND: inbound
OUTBOUND: outbound';
COMMENT ON TABLE "call" IS 'One call. Status callbacks may arrive out of order; ``last_sequence`` orders them.';
CREATE TABLE IF NOT EXISTS "message" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "sid" VARCHAR(64) UNIQUE,
    "channel" VARCHAR(16) NOT NULL,
    "direction" VARCHAR(16) NOT NULL,
    "from_address" VARCHAR(320) NOT NULL,
    "to_address" VARCHAR(320) NOT NULL,
    "counterpart" VARCHAR(320) NOT NULL,
    "body" TEXT NOT NULL,
    "media" JSONB NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "status_history" JSONB NOT NULL,
    "error_code" INT,
    "error_message" VARCHAR(255),
    "num_segments" INT,
    "price" DECIMAL(12,5),
    "price_unit" VARCHAR(3),
    "user_id" VARCHAR(128),
    "number_id" BIGINT REFERENCES "phone_number" ("id") ON DELETE SET NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_message_tenant__7e3a59" ON "message" ("tenant_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__5b88e9" ON "message" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__4e4ca2" ON "message" ("tenant_id", "channel", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__85f5f9" ON "message" ("tenant_id", "status", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__80df87" ON "message" ("tenant_id", "direction", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_number__4ab74c" ON "message" ("number_id", "counterpart", "created_at", "id");
COMMENT ON COLUMN "message"."channel" IS 'SMS: sms
MMS: mms
WHATSAPP: whatsapp
EMAIL: email';
COMMENT ON COLUMN "message"."direction" IS 'INBOUND: inbound
OUTBOUND: outbound';
COMMENT ON TABLE "message" IS 'One message. ``status`` is free text: a status Twilio adds tomorrow is stored, not refused.';
CREATE TABLE IF NOT EXISTS "recording" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "sid" VARCHAR(34) NOT NULL UNIQUE,
    "duration" INT,
    "channels" INT NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "media_url" VARCHAR(512),
    "price" DECIMAL(12,5),
    "price_unit" VARCHAR(3),
    "call_id" BIGINT NOT NULL REFERENCES "call" ("id") ON DELETE CASCADE,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_recording_tenant__1d3e08" ON "recording" ("tenant_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_recording_call_id_b2e225" ON "recording" ("call_id", "created_at");
COMMENT ON TABLE "recording" IS 'A call recording; deleting it at Twilio keeps the row with status ``deleted``.';
CREATE TABLE IF NOT EXISTS "sendgrid_settings" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "api_key_encrypted" TEXT NOT NULL,
    "event_verification_key" TEXT,
    "from_email" VARCHAR(320) NOT NULL,
    "from_name" VARCHAR(255) NOT NULL,
    "enabled" BOOL NOT NULL,
    "tenant_id" BIGINT NOT NULL UNIQUE REFERENCES "tenant" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "sendgrid_settings" IS 'A tenant''s SendGrid key (encrypted) and its Event Webhook verification key (public).';
CREATE TABLE IF NOT EXISTS "twilio_settings" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "account_sid" VARCHAR(34) NOT NULL UNIQUE,
    "auth_token_encrypted" TEXT NOT NULL,
    "api_key_sid" VARCHAR(34),
    "api_key_secret_encrypted" TEXT,
    "from_number" VARCHAR(20),
    "messaging_service_sid" VARCHAR(34),
    "conversations_service_sid" VARCHAR(34),
    "twiml_app_sid" VARCHAR(34),
    "enabled" BOOL NOT NULL,
    "validated_at" TIMESTAMPTZ,
    "webhook_configured" BOOL NOT NULL,
    "webhook_configured_at" TIMESTAMPTZ,
    "tenant_id" BIGINT NOT NULL UNIQUE REFERENCES "tenant" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_twilio_sett_messagi_768590" ON "twilio_settings" ("messaging_service_sid");
COMMENT ON TABLE "twilio_settings" IS 'A tenant''s Twilio account. Secrets are stored encrypted, bound to the tenant.';
CREATE TABLE IF NOT EXISTS "webhook_receipt" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "provider" VARCHAR(16) NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL,
    "tenant_id" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_webhook_rec_provide_3793e2" UNIQUE ("provider", "idempotency_key")
);
COMMENT ON TABLE "webhook_receipt" IS 'Proof a delivery was processed; the unique key turns a redelivery into a no-op.';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);""",
    "sqlite": """
        CREATE TABLE IF NOT EXISTS "tenant" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "org_id" VARCHAR(64) NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL,
    "activity_seq" BIGINT NOT NULL
) /* An Auth0 organization; created on the first request that carries its ``org_id``. */;
CREATE TABLE IF NOT EXISTS "activity_event" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "entity_type" VARCHAR(32) NOT NULL,
    "entity_id" BIGINT NOT NULL,
    "number_id" BIGINT,
    "payload" JSON NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_activity_ev_tenant__1a3aad" UNIQUE ("tenant_id", "seq")
) /* One thing that happened to a tenant, at a tenant-scoped monotonic ``seq`` (the cursor). */;
CREATE INDEX IF NOT EXISTS "idx_activity_ev_tenant__5c2787" ON "activity_event" ("tenant_id", "number_id", "seq");
CREATE TABLE IF NOT EXISTS "phone_number" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34) NOT NULL UNIQUE,
    "phone_number" VARCHAR(20) NOT NULL,
    "friendly_name" VARCHAR(64) NOT NULL,
    "iso_country" VARCHAR(2) NOT NULL,
    "region" VARCHAR(64) NOT NULL,
    "locality" VARCHAR(128) NOT NULL,
    "number_type" VARCHAR(16) NOT NULL /* LOCAL: local
MOBILE: mobile
TOLL_FREE: toll_free */,
    "voice_enabled" INT NOT NULL,
    "sms_enabled" INT NOT NULL,
    "mms_enabled" INT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* ACTIVE: active
INACTIVE: inactive
RELEASED: released */,
    "owner_id" VARCHAR(128),
    "label" VARCHAR(100),
    "website_id" VARCHAR(100),
    "monthly_fee" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "released_at" TIMESTAMP,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A number bought through Trunkline; released numbers stay as history for their traffic. */;
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_phone_n_a7722d" ON "phone_number" ("phone_number");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__e1c9b8" ON "phone_number" ("tenant_id", "status", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__4b6645" ON "phone_number" ("tenant_id", "owner_id", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__8a2484" ON "phone_number" ("tenant_id", "sms_enabled", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__933eb9" ON "phone_number" ("tenant_id", "voice_enabled", "id");
CREATE INDEX IF NOT EXISTS "idx_phone_numbe_tenant__eeaf6a" ON "phone_number" ("tenant_id", "mms_enabled", "id");
CREATE TABLE IF NOT EXISTS "call" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34) UNIQUE,
    "direction" VARCHAR(16) NOT NULL /* INBOUND: inbound
OUTBOUND: outbound */,
    "from_address" VARCHAR(64) NOT NULL,
    "to_address" VARCHAR(64) NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "status_history" JSON NOT NULL,
    "last_sequence" INT,
    "duration" INT,
    "price" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "user_id" VARCHAR(128),
    "started_at" TIMESTAMP,
    "ended_at" TIMESTAMP,
    "number_id" BIGINT REFERENCES "phone_number" ("id") ON DELETE SET NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* One call. Status callbacks may arrive out of order; ``last_sequence`` orders them. */;
CREATE INDEX IF NOT EXISTS "idx_call_tenant__fd28ef" ON "call" ("tenant_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_call_tenant__1c85fc" ON "call" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_call_tenant__250215" ON "call" ("tenant_id", "status", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_call_tenant__940b15" ON "call" ("tenant_id", "direction", "created_at", "id");
CREATE TABLE IF NOT EXISTS "message" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(64) UNIQUE,
    "channel" VARCHAR(16) NOT NULL /* SMS: sms
MMS: mms
WHATSAPP: whatsapp
EMAIL: email */,
    "direction" VARCHAR(16) NOT NULL /* INBOUND: inbound
OUTBOUND: outbound */,
    "from_address" VARCHAR(320) NOT NULL,
    "to_address" VARCHAR(320) NOT NULL,
    "counterpart" VARCHAR(320) NOT NULL,
    "body" TEXT NOT NULL,
    "media" JSON NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "status_history" JSON NOT NULL,
    "error_code" INT,
    "error_message" VARCHAR(255),
    "num_segments" INT,
    "price" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "user_id" VARCHAR(128),
    "number_id" BIGINT REFERENCES "phone_number" ("id") ON DELETE SET NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* One message. ``status`` is free text: a status Twilio adds tomorrow is stored, not refused. */;
CREATE INDEX IF NOT EXISTS "idx_message_tenant__7e3a59" ON "message" ("tenant_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__5b88e9" ON "message" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__4e4ca2" ON "message" ("tenant_id", "channel", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__85f5f9" ON "message" ("tenant_id", "status", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_tenant__80df87" ON "message" ("tenant_id", "direction", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_number__4ab74c" ON "message" ("number_id", "counterpart", "created_at", "id");
CREATE TABLE IF NOT EXISTS "recording" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34) NOT NULL UNIQUE,
    "duration" INT,
    "channels" INT NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "media_url" VARCHAR(512),
    "price" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "call_id" BIGINT NOT NULL REFERENCES "call" ("id") ON DELETE CASCADE,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A call recording; deleting it at Twilio keeps the row with status ``deleted``. */;
CREATE INDEX IF NOT EXISTS "idx_recording_tenant__1d3e08" ON "recording" ("tenant_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_recording_call_id_b2e225" ON "recording" ("call_id", "created_at");
CREATE TABLE IF NOT EXISTS "sendgrid_settings" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "api_key_encrypted" TEXT NOT NULL,
    "event_verification_key" TEXT,
    "from_email" VARCHAR(320) NOT NULL,
    "from_name" VARCHAR(255) NOT NULL,
    "enabled" INT NOT NULL,
    "tenant_id" BIGINT NOT NULL UNIQUE REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A tenant's SendGrid key (encrypted) and its Event Webhook verification key (public). */;
CREATE TABLE IF NOT EXISTS "twilio_settings" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "account_sid" VARCHAR(34) NOT NULL UNIQUE,
    "auth_token_encrypted" TEXT NOT NULL,
    "api_key_sid" VARCHAR(34),
    "api_key_secret_encrypted" TEXT,
    "from_number" VARCHAR(20),
    "messaging_service_sid" VARCHAR(34),
    "conversations_service_sid" VARCHAR(34),
    "twiml_app_sid" VARCHAR(34),
    "enabled" INT NOT NULL,
    "validated_at" TIMESTAMP,
    "webhook_configured" INT NOT NULL,
    "webhook_configured_at" TIMESTAMP,
    "tenant_id" BIGINT NOT NULL UNIQUE REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A tenant's Twilio account. Secrets are stored encrypted, bound to the tenant. */;
CREATE INDEX IF NOT EXISTS "idx_twilio_sett_messagi_768590" ON "twilio_settings" ("messaging_service_sid");
CREATE TABLE IF NOT EXISTS "webhook_receipt" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL,
    "tenant_id" BIGINT,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_webhook_rec_provide_3793e2" UNIQUE ("provider", "idempotency_key")
) /* Proof a delivery was processed; the unique key turns a redelivery into a no-op. */;
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);""",
}


async def upgrade(db: BaseDBAsyncClient) -> str:
    return UPGRADE[db.capabilities.dialect]


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""


MODELS_STATE = (
    "eJztXW1z2rga/Ssavtx2hs0kNE170zt3hiR0N7skdALd3dntjhG2AE1sicoiKXe3//1Ksg"
    "1+JTbBARt9aYmsR7bPo9fzHMl/NxxqIds9apscP2C+6Dwgwhvn4O8GgQ4SP9IzNEEDzmar"
    "yzKBw5GtLKCf1UDLvCOXM5Esro6h7SKRZCHXZHjGMSXSpkcQ4FNMJuJfyMFUlI4IsgCnAA"
    "KOCCS8CcSF4I8fXJPOxHWHEsopwSYYDl30dTgEr/gUAXPOXMpeH8mbW9QUdxdFl3yfOcFf"
    "58jgdILEJSbu9uefDa8UA1syhzBs/PWX+IGJhb4hNyULmTsjxOL5Z/fGGCPbijjGy6PSDb"
    "6YqbQLPLkm/KPKK199ZJjUnjtklX+24FNKlgbYc9BEgMAgR/IOnM2RehLb9j0a+Mx7w1UW"
    "7zVCNhYaw7kt3SytvQdYpTUM47Y3MPqdgWE0ElUgsAh5y08yKZHVRzyqqwCYyEf44d+t1p"
    "s371rHb87evz199+7t++P3Iq963uSld9+9h1mh5RWlMLv+8fp2IB+IijrqVWGZ8F3ZQA49"
    "K+WtFfrSN4Xg9w2exj9Ae50DgoSVB1btqmYuWEF+L942ifnlFLJ0xIP8McjFi1QRcgd+M2"
    "xEJnwq/nzTWoPmr+27y5/ad6/etF5HIb31r7TUpSi4oqeWXbYCqQDGMTMNdX6oi/bfETPd"
    "jWzcjUSG2PzwR8w2gt8fJA8b/Rlc2BSmYP9zv3ebjnzIJIa7hU0O/gE2dkur/o3/jOfElN"
    "iC0RzbHBP3SN72v42S3LIGYQmRLNlx3a92uJd5ddP+Pd4BXXZ7Fwoy6vIJU6WoAi5iDjEZ"
    "kpAZkCd9ciWucOygdL9ELeOu8U2Pgh9V7J/EC1o9Yi/8xrvGNYPrm05/0L75FPHPVXvQkV"
    "daKnURS311FvPZshDw2/XgJyD/BH/0bjtxNy7zDf5oyGeCc04NQh8NaIUm40FqgFrE65FF"
    "R/5OMGKmx6BCvaBcyI3vUxcTHqxJV3ykDOEJ+QUtlDuuxZNDYqbNtPxV+mBZUMXc8D2oaU"
    "Hqqh4z+Lhc/UYroHh/8daIe3PUdv+yfdVpKJxH0Lx/hMwyIoDLK7RFYynLvMlLTsuJp0AC"
    "Jwoe+R7yqX3kL6FtN1J4E5XeXEeXmEGOXCSJzH0E+hzyuav+kI/vAgcuAGQMPyBA5xzQMa"
    "DMQuwDGA5t6HJDrD7nSFSd4dC74AI+RU46P7L9W6RQI+tpkOjQItJE9nVMSY78rnqfnJkt"
    "zJAa9NPza05mLzkZPZU5xKnMfGZt6PWopfb6vng9wCjkdv/pQ/xrWlebzVO5qT1tPn4qvm"
    "7fbU8bJadO85BTp9nk1GmcnIqMfEl0O2LYTcxFI0hHCthnPlAMKBe9z7dX5wCTEZ0T6wvp"
    "fR74SWKGo9LiE6Q8Tjk5y+GUk3jbWTlFXoo6ZcyoI9uGaD5ukVoft9tnd2zYAs7ytICz7B"
    "ZwlmgBos/ZAOqolQY6B9CrGXnuXnxpUUOAtx9o8OAyptjllC2KUK5Jy/1gXuX9asO8RlbN"
    "Se9kLhoTdjWKRrROTt+dvn9zdrpcOC5T1q0Xk3EGay7ePXUak4lr2ERDmhK6YTitnl4hEz"
    "vQzojdBDbx/sMzOvKNqwfuGuSuOpfXN+3uq5NW863qG0SfgT2SMug1To/jfbUCyhBvl7KK"
    "zR4Qo1ZbWd3sutJGx8Q8Q2L2iBgHee5mBH6zEQ6Z1A/ek9b7PEuV1vvstYq8lph1sM34mK"
    "jlFviYPQO/uvRLknVDAsJNfBy20x7eZw9rncwudTI6QK8D9Pvkhi0G6JOdzBaA/STS0O2y"
    "tGp1MXnBjfStEXDFE4Dbz93uOvnDCnWGTMos8UQp7NuFb/vxlztkZ62HfdDvgnJqVKG/l6"
    "kSuUGuC1WHlhCKBJea67QiTihTLrmIb3Akt60oTm84BNgFY4YQ4OgbPwcQeBfA4BHbmAIx"
    "Q3ABpw5ljD7KvJICRFYTEMoBQ2OxILLSdSMl3msfBCTmFBKC7Jy5tyk3kfmjT0vnhCM2E8"
    "uldAstUNEClWp1xxWVKmiByiF6XQtUdhc1Dg3Dm8hTQub7HENu9G/658B13C/kRv5y5K/f"
    "fmoP+u1Pn87B4xRyV0wTv5DOTfu6ew6QA7Edn5XtRqyiFURaQbTno05Md3GcS3hxvEZ5kQ"
    "jnaRHRy2EdWw3lBTtmptHOh/aIWilSooFY36fDHOR/OXwbjZLQXTc77fw+iExMEwKh5eS0"
    "27v9McgeVw1FoXaQhWES62zZ1tJAq7XWO2MDtZZWK2q14iHXf8QYZQJ0q4hUMWpUo2jw1k"
    "R1HkIhXj9v75IwrJ88qfX2bY5ORuTK7GXUtcTxH4aLJg6St8xfk+Nmui5rgagWiO68i9AC"
    "0eoJRLWwTAvLDgp+LSzTwrL9Bvd5wrIyFVNh+FNUUzHvZCunZjKjsaoVT8un2sDLDUZ0Pp"
    "lywKdM/gADNif3NiboA2ACJugiy88p9UvykBwX+FQEGFMmT8HB4l8Gx2NsJpVT5d2msGhq"
    "RVilqpToI1nWkXTNk+Ma4m+BeHaeByonpE/lcpIlaUmTljRVa2SrqLhFS5oO0et7Jmnas6"
    "625EN34pOT3OxOzK6sONPusM4VwV4TwE7Gr8cMI2LZC0MlFAA7YViDiHbZYj3sUkPpLNIC"
    "etlQx8xqB3Se2Gl26DQROWVokim3Swd4ZVE7bLdfiW1qQhvzQjU4bFM7iMtkhRVKqUA/LR"
    "yNFfGCuCt3FwS/0e1dtrvnQNl+ITe9i+tu5xw4dIRt9IUMet2u8fGuI5I4tW1DbqOKkwe7"
    "0ZImlvCxtTelNoIkvV0kbGNOGgnjsry0THnZaN9Fr9eNTPAvruPar883Fx3hhFgsMMndxw"
    "iWArjHLDXqBVB3Nkbd0ahvXtfX6O2eHgp2ob3zPnyHig4D7cvB9a+il/esv5Dr2yAFkyDt"
    "rtPttPudq/MlF7wfQ0GYEs47NQrb6Ih5rrmRePOsHU8Z08/AoIYAH+ehBESubICPE6TAIx"
    "q5oicqWJOjVhrqXFA7lPCpvTDGqKhULGZ5iIKx4+apFoztk2AsGI43iITETPVhaPsT+UgG"
    "vLRqSqum9skNW1RN5TkwSn4F6plnRQUfwqpkH5Y8JSq6T09twngmQKEDoGqCUZm6sNXRYy"
    "mqsMi5ZNmaMBbJlkMQJpsBWFp9AKo1yY/JYy4/Gu+fanWP0Ex9/AzIU60eMZ8Gx14Nh177"
    "s4bDNCHYtovf0qlZ8rGSGbQgSwuyKjZoVlSaowVZh+h1Lcja5VfQ9NdDtr051D94q8ie27"
    "DJyy2eTyoCqD6QouQDKdRpKsacFYq8RIzqR5++PckDs8iVibO6pveNZ+Kt941XMAwQWiLn"
    "X/eGjDQ1rPczVwd+zcy//H5m06fPnwlrTha+qqCGutSiwY4yyeo+ItaPDFt9xLn66kYKZ5"
    "3I01xHXbsi90TkNtxw9hwUtlft/uWC4H7gHi3AK0RMtpiJ+vAaQGIBzF3QeUCEg9/QaErp"
    "PXhADI+xqZa4nslsPrKx+TqNyC7nJk/T2ZqS1pR0tTq2ipKTmpI+RK/noaThDBui5zaWfX"
    "3S+dlnBaca14KrWufhMo4ORnJcNcLjqQS2iC+yS6gDG/DS/lDn6C8/0pB/y3HYqhYN4QVO"
    "KFeoFd/dHTKq3Y7NUk5S3WxP1G72QwWT7spuh9ofmutAFjQJkqsIdfA0IdYjaEDFP6XTYT"
    "t1V1ky1WexMT6WKRzMCuVs5mXl0Bx0CwHtOZ8eA8omkOD/qWnUB+CvagElSsY3xsyVn7sU"
    "/nLl+W+QAxMyhpGrKJLhUFgLaFI1gyXcQNMse9wrNTXNckALbk2zHKLX89AsXo9dZIGzsq"
    "id/m/7R/4UXT3qhWORhaM61QDzheGir8UmDHHLlwvcH1d+6lBgQZN0VYqbCmxtavulqGhf"
    "BQeSXLvAXm6PXCXheelNcpUEKXyg5zORKnZufSXRWm6VeyZUke2CdQGqkJ4lpCpPE5akQx"
    "tQWE8DnKZtqWS8aH195GqD5laR8/Z81hC3opxdFIc07i6B1BoOL+moQtopfycuNNUhtUeg"
    "j0yGuAsgQ0B+kQFZYBnCbgL1GXDAqeLivDLWiqa2U7qm8fZ4Lt7UNN4BETqaxjtEr+dSS3"
    "l9vFFwI2/MrHaE3vY39AonTMVYeI/Ihsq0DPtaaHJeWgwVyPyK1vqoWR1kaKVX+wAyNYV8"
    "nigzrYw6+GAnUsDi33qJmdUB+bI/9eJRjuIJRN1lD3JDa8EeJ7OAktCv04grbveAmKv4DX"
    "dTB6wtpH5NYPte4I/YsQ04mxVFPmGo0X4aba2IfUFF7AO08aZr5ritPnx3fxbJSW7k0dse"
    "KlnkMZ7MWeEWll6A/hxHgdaWhHCDZpdZiG5/+9z+9N6D/ZXq6L0Hldp74J90cIdMJN6okR"
    "LHjOVorotjBv0pC2V+Mo75iVE6BlCeLozF4moBHqELZoyaYrGLrA8qjuh5UB3BwOeMuCK7"
    "6KwDA4ElFSmE/kBnyUhmCeWnxDL/bIgiH7DlsSHif2dGhSfNhdql+pcOde5LX9ZcE+oMuz"
    "DvwjRsUwv2vexvdMXbRgGsU0xrCHkpGuedzZn2bB68m0PhtIYi2yHVjKZnaSieNVXe3ryu"
    "jRg2p2nzOf/K2nkcXOV5avqW7ectC74OZQr0zPOYsyc3MnBR8LPsIRM9zubcSyQaVQGE/e"
    "w1RLeUjzWKO3KURiH83O/dZobsApP46IlNDv4BNnYrvAcoDVwJRmSITMgE4oqA2NgnC7h4"
    "Lu/z3MHs+/8BQeNLwA=="
)
