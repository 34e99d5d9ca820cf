"""Entity SIDs unique per tenant: ``(tenant_id, sid)`` for message, call and recording.

A SID was unique across all tenants. A SID is only as good as the account that signed the
webhook naming it, so another tenant's message with the same SID was taken for a duplicate (200,
never stored), and a status callback creating a call or message whose SID another tenant held
failed the unique index on every retry. The new unique index is also the one the look-ups by
sid use: they always name the tenant.

Aerich wrote the PostgreSQL statements (``aerich migrate``); the downgrade restores the
constraints migration 0 created, under their own names, and fails (changing nothing) once two
tenants hold the same SID: which row to keep is not the migration's to decide. SQLite cannot drop a column's UNIQUE, so
there the tables are rebuilt (SQLite's ALTER TABLE documentation). Foreign keys are on and this
runs in a transaction, so the order matters: dropping ``call`` would cascade to the recordings
still referencing it; ``recording_new`` references ``call_new``, and renaming ``call_new`` to
``call`` rewrites that reference.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

UPGRADE = {
    "postgres": """
        ALTER TABLE "recording" DROP CONSTRAINT IF EXISTS "recording_sid_key";
        DROP INDEX IF EXISTS "uid_recording_sid_abfe36";
        ALTER TABLE "message" DROP CONSTRAINT IF EXISTS "message_sid_key";
        DROP INDEX IF EXISTS "uid_message_sid_9e276c";
        ALTER TABLE "call" DROP CONSTRAINT IF EXISTS "call_sid_key";
        DROP INDEX IF EXISTS "uid_call_sid_4d0faa";
        CREATE UNIQUE INDEX IF NOT EXISTS "uid_call_tenant__051acf" ON "call" ("tenant_id", "sid");
        CREATE UNIQUE INDEX IF NOT EXISTS "uid_message_tenant__d04906" ON "message" ("tenant_id", "sid");
        CREATE UNIQUE INDEX IF NOT EXISTS "uid_recording_tenant__891a46" ON "recording" ("tenant_id", "sid");""",
    "sqlite": """
CREATE TABLE "call_new" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34),
    "direction" VARCHAR(16) NOT NULL /* INBOUND: inbound\nOUTBOUND: outbound */,
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
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_call_tenant__051acf" UNIQUE ("tenant_id", "sid")
) /* One call. Status callbacks may arrive out of order; ``last_sequence`` orders them. */;
INSERT INTO "call_new" ("created_at", "updated_at", "id", "sid", "direction", "from_address", "to_address", "status", "status_history", "last_sequence", "duration", "price", "price_unit", "user_id", "started_at", "ended_at", "number_id", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "direction", "from_address", "to_address", "status", "status_history", "last_sequence", "duration", "price", "price_unit", "user_id", "started_at", "ended_at", "number_id", "tenant_id" FROM "call";
CREATE TABLE "recording_new" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34) NOT NULL,
    "duration" INT,
    "channels" INT NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "media_url" VARCHAR(512),
    "price" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "call_id" BIGINT NOT NULL REFERENCES "call_new" ("id") ON DELETE CASCADE,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_recording_tenant__891a46" UNIQUE ("tenant_id", "sid")
) /* A call recording; deleting it at Twilio keeps the row with status ``deleted``. */;
INSERT INTO "recording_new" ("created_at", "updated_at", "id", "sid", "duration", "channels", "status", "media_url", "price", "price_unit", "call_id", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "duration", "channels", "status", "media_url", "price", "price_unit", "call_id", "tenant_id" FROM "recording";
DROP TABLE "recording";
DROP TABLE "call";
ALTER TABLE "call_new" RENAME TO "call";
ALTER TABLE "recording_new" RENAME TO "recording";
CREATE TABLE "message_new" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(64),
    "channel" VARCHAR(16) NOT NULL /* SMS: sms\nMMS: mms\nWHATSAPP: whatsapp\nEMAIL: email */,
    "direction" VARCHAR(16) NOT NULL /* INBOUND: inbound\nOUTBOUND: outbound */,
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
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_message_tenant__d04906" UNIQUE ("tenant_id", "sid")
) /* One message. ``status`` is free text: a status Twilio adds later is stored, not refused. */;
INSERT INTO "message_new" ("created_at", "updated_at", "id", "sid", "channel", "direction", "from_address", "to_address", "counterpart", "body", "media", "status", "status_history", "error_code", "error_message", "num_segments", "price", "price_unit", "user_id", "number_id", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "channel", "direction", "from_address", "to_address", "counterpart", "body", "media", "status", "status_history", "error_code", "error_message", "num_segments", "price", "price_unit", "user_id", "number_id", "tenant_id" FROM "message";
DROP TABLE "message";
ALTER TABLE "message_new" RENAME TO "message";
CREATE INDEX "idx_call_tenant__fd28ef" ON "call" ("tenant_id", "created_at", "id");
CREATE INDEX "idx_call_tenant__1c85fc" ON "call" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX "idx_call_tenant__250215" ON "call" ("tenant_id", "status", "created_at", "id");
CREATE INDEX "idx_call_tenant__940b15" ON "call" ("tenant_id", "direction", "created_at", "id");
CREATE INDEX "idx_message_tenant__7e3a59" ON "message" ("tenant_id", "created_at", "id");
CREATE INDEX "idx_message_tenant__5b88e9" ON "message" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX "idx_message_tenant__4e4ca2" ON "message" ("tenant_id", "channel", "created_at", "id");
CREATE INDEX "idx_message_tenant__85f5f9" ON "message" ("tenant_id", "status", "created_at", "id");
CREATE INDEX "idx_message_tenant__80df87" ON "message" ("tenant_id", "direction", "created_at", "id");
CREATE INDEX "idx_message_number__4ab74c" ON "message" ("number_id", "counterpart", "created_at", "id");
CREATE INDEX "idx_recording_tenant__1d3e08" ON "recording" ("tenant_id", "created_at", "id");
CREATE INDEX "idx_recording_call_id_b2e225" ON "recording" ("call_id", "created_at");""",
}

DOWNGRADE = {
    "postgres": """
        DROP INDEX IF EXISTS "uid_recording_tenant__891a46";
        DROP INDEX IF EXISTS "uid_message_tenant__d04906";
        DROP INDEX IF EXISTS "uid_call_tenant__051acf";
        ALTER TABLE "call" ADD CONSTRAINT "call_sid_key" UNIQUE ("sid");
        ALTER TABLE "message" ADD CONSTRAINT "message_sid_key" UNIQUE ("sid");
        ALTER TABLE "recording" ADD CONSTRAINT "recording_sid_key" UNIQUE ("sid");""",
    "sqlite": """
CREATE TABLE "call_new" (
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
INSERT INTO "call_new" ("created_at", "updated_at", "id", "sid", "direction", "from_address", "to_address", "status", "status_history", "last_sequence", "duration", "price", "price_unit", "user_id", "started_at", "ended_at", "number_id", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "direction", "from_address", "to_address", "status", "status_history", "last_sequence", "duration", "price", "price_unit", "user_id", "started_at", "ended_at", "number_id", "tenant_id" FROM "call";
CREATE TABLE "recording_new" (
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
    "call_id" BIGINT NOT NULL REFERENCES "call_new" ("id") ON DELETE CASCADE,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A call recording; deleting it at Twilio keeps the row with status ``deleted``. */;
INSERT INTO "recording_new" ("created_at", "updated_at", "id", "sid", "duration", "channels", "status", "media_url", "price", "price_unit", "call_id", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "duration", "channels", "status", "media_url", "price", "price_unit", "call_id", "tenant_id" FROM "recording";
DROP TABLE "recording";
DROP TABLE "call";
ALTER TABLE "call_new" RENAME TO "call";
ALTER TABLE "recording_new" RENAME TO "recording";
CREATE TABLE "message_new" (
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
INSERT INTO "message_new" ("created_at", "updated_at", "id", "sid", "channel", "direction", "from_address", "to_address", "counterpart", "body", "media", "status", "status_history", "error_code", "error_message", "num_segments", "price", "price_unit", "user_id", "number_id", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "channel", "direction", "from_address", "to_address", "counterpart", "body", "media", "status", "status_history", "error_code", "error_message", "num_segments", "price", "price_unit", "user_id", "number_id", "tenant_id" FROM "message";
DROP TABLE "message";
ALTER TABLE "message_new" RENAME TO "message";
CREATE INDEX "idx_call_tenant__fd28ef" ON "call" ("tenant_id", "created_at", "id");
CREATE INDEX "idx_call_tenant__1c85fc" ON "call" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX "idx_call_tenant__250215" ON "call" ("tenant_id", "status", "created_at", "id");
CREATE INDEX "idx_call_tenant__940b15" ON "call" ("tenant_id", "direction", "created_at", "id");
CREATE INDEX "idx_message_tenant__7e3a59" ON "message" ("tenant_id", "created_at", "id");
CREATE INDEX "idx_message_tenant__5b88e9" ON "message" ("tenant_id", "number_id", "created_at", "id");
CREATE INDEX "idx_message_tenant__4e4ca2" ON "message" ("tenant_id", "channel", "created_at", "id");
CREATE INDEX "idx_message_tenant__85f5f9" ON "message" ("tenant_id", "status", "created_at", "id");
CREATE INDEX "idx_message_tenant__80df87" ON "message" ("tenant_id", "direction", "created_at", "id");
CREATE INDEX "idx_message_number__4ab74c" ON "message" ("number_id", "counterpart", "created_at", "id");
CREATE INDEX "idx_recording_tenant__1d3e08" ON "recording" ("tenant_id", "created_at", "id");
CREATE INDEX "idx_recording_call_id_b2e225" ON "recording" ("call_id", "created_at");""",
}


async def upgrade(db: BaseDBAsyncClient) -> str:
    return UPGRADE[db.capabilities.dialect]


async def downgrade(db: BaseDBAsyncClient) -> str:
    return DOWNGRADE[db.capabilities.dialect]


MODELS_STATE = (
    "eJztXW1T27gW/iuafLntTJaBlNJeeufOBEi77ALpQLrd2WXHUWwl0WBLqaxAc3f7368k24"
    "lfgx1isB19aYN8jmw/RzqSznkk/91yqIVsd69rcnyP+aJ3jwhvHYO/WwQ6SPxIF2iDFpzN"
    "VpdlAYcjW2lAX9RAS9mRy5koFlfH0HaRKLKQazI845gSqdMnCPApJhPxL+RgKmpHBFmAUw"
    "ABRwQS3gbiQvDHT65JZ+K6QwnllGATDIcu+jYcgld8ioA5Zy5lr/fkzS1qiruLqku+z5zg"
    "b3NkcDpB4hITd/vzz5ZXi4EtKSEUW3/9JX5gYqHvyE0RIXNnhFhcfnZnjDGyrYhhPBlVbv"
    "DFTJWd4Mk54R+VrHz1kWFSe+6QlfxswaeULBWwZ6CJAIFBjuQdOJsj9SS27Vs0sJn3hisR"
    "7zVCOhYaw7ktzSy1vQdYlbUM46o/MG56A8NoJZpAoBGyll9kUiKbj3hUVwEwkY/w0787nT"
    "dv3nX23xy9f3v47t3b9/vvhax63uSldz+8h1mh5VWlMDv/dH41kA9ERRv1mrAs+KF0IIee"
    "lrLWCn1pm0Lw+wqP4x+gvc4AQcHKAqt+1TATrCC/E2+bxPx0Clk64oF8DHLxInWE3IHfDR"
    "uRCZ+KP9901qD5W/f69Ofu9as3nddRSK/8Kx11KQqu8NTSZSuQCmAcU9NQ54e6qP+OqGk3"
    "srEbiQyx+eGPqG0Evz9I7jb6M7iwKUzB/peb/lU68iGVGO4WNjn4B9jYLa35t/4znhNTYg"
    "tGc2xzTNw9edv/tkoyyxqEJUSyZsd1v9lhL/Pqsvt73AGdXvRPFGTU5ROmalEVnMQMYjIk"
    "ITMgT9rkTFzh2EHpdolqxk3jq+4FP+ron8QLWn1iL/zOu8Y0g/PL3s2ge/k5Yp+z7qAnr3"
    "RU6SJW+uooZrNlJeDr+eBnIP8Ef/SvenEzLuUGf7TkM8E5pwahDwa0QpPxoDRALWL1yKIj"
    "vxOMqOkxqJAXlAu58V3qYsKDNWmKj5QhPCG/ooUyx7l4ckjMtJmWv0ofLCuqmRl+BC0tKF"
    "21YwYflqvfaAMU7y/eGnFvjtq9Oe2e9VoK5xE07x4gs4wI4PIK7dBYyVI2ecnpOPESSOBE"
    "wSPfQz61j/wptO1WStxElbfXhUvMQCJXkERK74EbDvncVX/Ix3eBAxcAMobvEaBzDugYUG"
    "Yh9gEMhzZ0uSFWn3Mkms5w6F1wAZ8iJz0+sv1b5AiNiP8eCY1Ehxsp3wbroic55F31jjmF"
    "LcyQmgiky+s4TSXjNHp6s4vTm/nM2tDqUU1t9apYPcAoZHb/6UMx2TRXmx27clM9bb6YVd"
    "XW8tGQ1WGekNVhdsjqMB6yiox9SXx7YuBNzFAjWEcqqHKUUAwpJ/0vV2fHAJMRnRPrlvS/"
    "DPwiMe9RZfFpUx6jHBzlMMpBvPesjCIvRY0yZtSRvUN0ILdIu4/rVdkcG/aAozw94Ci7Bx"
    "wleoDwOhtAHdXSQOcAejUnz+3HlxoNBHj76QcPLmOKXU7ZokggNqlZjXisvF9j4rGRtXTS"
    "OpnLxoReg3IUnYPDd4fv3xwdLpeOy5J1K8Zk9sGai3dPncZk4hpW0ZCmJHQYTmunZ8jEDr"
    "QzMjqBTtx/eEp7vnL9wF2D3Fnv9Pyye/HqoNN+q3yD8BnYC10GXuNwP+6rFVCGeLuUdWz2"
    "gBjVauD6Js+QmD0ixkGeuxnp4GyEQyrNg/eg8z7PUqXzPnutIq8lZh1ss4hMVHMLEZmKgV"
    "/fAEwy7oYEhJvYOKynLVxlC2v2zEuyZ3TaXqftq2SGLabtk05mC8B+FmXoallbvVxMXnAj"
    "vjUCrngCcPXl4mIdKWKFOkMmZZZ4opTo24mv+/HXa2RnrYd90K+DehrUoH+UyR25RK4LlU"
    "NL0EeCS+11DBInJJSLROIr7MnNLCqmNxwC7IIxQwhw9J0fAwi8C2DwgG1MgZghuEAYHjEp"
    "KON/yGoDQjlgaCxWQ1Y6laSsG1WVUGJOISHIzim9TfqJlI8+LZ0TgeJMLJ7SNTRhRRNW6u"
    "Wca0pd0ISVXbS6Jqy8ZBY5NBBvQlcJqVc5p9y6ubw5Bq7j3pJL+cuRv77+3B3cdD9/PgYP"
    "U8hdMW28Jb3L7vnFMUAOxHZ8ovYy5BXNKNKMooqPOzEexn4uIsb+GiZGIr2nSUXPh3VsPZ"
    "QX7JiaRjsf2iNqpVCLBmLJnw5zIP98+LZaJaG7bn7a+30QmZomCEPL6elF/+pTIB5nEUWh"
    "dpCFYRLrbBrXUkGzt9YbYwP2lmYvavbiLrd/xBhlAnSrCHUxqtSg7PDWSHYeQqE4f17vkl"
    "BsXvCg8/ZtDicjpDK9jLqWOCTEcNHEQfKW+VtyXE23ZU0Y1YTRF3cRmjBaP8KoJpppotlO"
    "wa+JZppoVm1wn0Y0K5NBFYY/hUUVs042k2omBY1Vq3icTtUFnjQY0flkygGfMvkDDNic3N"
    "mYoA+ACZigiyxfUrKa5FE6LvBDEWBMmTwrB4t/GRyPsZkkU5V3mxQq1Xra1CpglcpTog9k"
    "2UbSWU+Oa4i/BeLZMvdUTkgfk3KSNWlSkyY11Wtkqym9RZOadtHqFSM1VczVlnwIT3xykj"
    "u6E9MrK8/0cljnymCvSWAn89djhhGx7IWhCgqAnVBsQEa7bLIedqmheBZpCb1sqGNqjQM6"
    "T+40O3WayJwyNMmk26UDvNJoHLbbb8Q2NaGNeaEWHNZpHMRlRoUVSqlAP04cjVXxjLgrcx"
    "cEv3XRP+1eHAOle0su+yfnF71j4NARttEtGfQvLoyP1z1RxKltG3JnVTx48DJc0sQSPrb2"
    "ptRGkKT3i4RuzEgjoVyWlZYlz5vtO+n3LyIT/JPzOPfry+VJTxghlgtMxu5jAZYCuMc0Ne"
    "oFUHc2Rt3RqG/e1tfw7R4fCl6Ce+d9Hg8VHQa6p4Pz34SX97RvyflVUIJJUHbdu+h1b3pn"
    "x8tYcDWGgnBIOO/UKKyjM+a55kbizbN2PGVMPwOFBgK8nyckIKSyAd5PBAUe0MgVnqhgS4"
    "5qaahzQe1Qwqf2whijolSxmOYuEsb224eaMFYlwlgwHG+QCYmp6sPRqpP5SCa8NGtKs6aq"
    "ZIYtsqbyHCAlvxX1xLOjgs9l1dKHJU+Niu7TU5swnghQ6ECohmBUJi9sdRRZCissck5ZNi"
    "eMRcRyEMJkNwBLrQ9A9Sb5yXnM5afl/YOu7hCaqU+kAUYfwAPm0+AkrOHQ63/WcJhGBNt2"
    "9SWepSUfNSmgSVqapFWzgbSmdB1N0tpFq1edpPXSVi37W2n6GyPb3jLqH8dVZCduWOX5lt"
    "QHNQFUH1NR8jEV6owVY84K5WMiSs0Lqr49yAOzkMrEWV3Tu8kz8da7yWuYHAgtkvOvfENK"
    "OmCsdznXB34dr3/+Xc6mH1R/Iqw5Y/N1BTXkUoumQMoMYd8gYn1i2LpBnKtvc6REshMy7X"
    "UBbVdIT4S04YbFcwS2vWb3LxcE9wN3aAFeIWKyxUy0h9cAEgtg7oLePSIcfEWjKaV34B4x"
    "PMamWuJ6KrP5yMbm67Twdjk3eXyXsw5K66B0vRxbTcOTOii9i1bPE5SGM2wIz20sfX3S+N"
    "knCKcqNyJWtc7CZRwojOS4aoTHUwlsEVtk19CEaMBz20Odrr/8dEP+jchhrUZ0hGc4t1yh"
    "VnzPd0ipcfs4SzlfdbOdUi+zSyqYdNd2k1R1wlw7sqBJBLmKhA4eD4j1CRpQ8U/p4bAXNV"
    "dZ5NUnRWN8LFNiMCuUsyMvK4PmCLcQ0J3z6T6gbAIJ/p+aRn0A/qoWUKLIfWPMXPlpTGEv"
    "V54KBzkwIWMYuSpEMhwKbQFNKpOwhBvoMEuFvVJbh1l2aMGtwyy7aPU8YRbPYxdZ4Kw0Gn"
    "dM2/YPAiq6etQLxyILR3XWAeYLw0Xfik0Y4prPl7jfr/3UocCCJmmqFDMV2PDU9WtR2b4a"
    "DiS59oY93865WsLz3FvnaglS+JjPJyJV7DT7WqK13ED3RKgimwibAlQhPkuIVZ5GLEmHNg"
    "hhPQ5wGrellvmi9e2Rq22bW0XO2wnaQNyKxuyiOKTF7hJIrYnhJQ1ViDvl78+Fpjq6dg/c"
    "IJMh7gLIEJDfaUAWWKaw20B9HBxwqmJxXh1rSVPbqV2H8So8F2/rMN4OBXR0GG8XrZ6LLe"
    "X5eKPgVt6YWuMCetvf0CuMMBVj4R0iGzLTMvQbwcl5bjJUQPMr2uqjak2goZXe7API1BTy"
    "aaTMtDqaYIMXoQIW/wJMTK0JyJf9ARgv5CieQLRddi83tBb0OJkVlIR+k0Zccbt7xFwV33"
    "A3NcDaSprXBbZvBf6AHduAs1lR5BOKGu3H0daM2GdkxN5DG2+6Zo7r6iN5q7NITsZGHrzt"
    "oTKKPMaTOSvcw9Ir0B/pKNDbkhBu0O0yK9H9r8r9T+89qC5VR+89qNXeA/+kg2tkIvFGrZ"
    "Q8ZkyivS6PGfhTFhJ+NI/5mVE6BnCVbxTVYrHKWoAH6IIZo6ZY9SLrg0ooeqZUZzHwOSOu"
    "0BNeO1AQoFJRQuhPdJZMaZZ1o1tyS7544jPE/OqPASRUJjpTboddQNC9vATvEAFjyqK1i6"
    "fkUyFECcp5mrJ4+HtseZEY8b8zo+KyuVA7ZOOnLOs0ayXTrNUZ1F56Ufwix3aFe1DemERY"
    "pxGJl7I/2hZ3TQWwTlFtIOTb3zmg2RvZ0Nczj5/F3njSJH17M8ouYticps0k/StrZ5BwJf"
    "PYxDHbzlummu3KBOiJJ0FnT21kyqTgZ+JDKg108+XsYhKdqgDCvngD0S3l45HijhylBS9+"
    "uelfZSYLA5X46IlNDv4BNnbrOEFfA64EIzJEJggKcS5CbOyTFZw8NeL01MHsx/8BpauK5w"
    "=="
)
