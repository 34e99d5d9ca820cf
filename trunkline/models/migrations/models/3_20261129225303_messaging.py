"""Messaging: threads, idempotency keys for sends, WhatsApp senders and registered numbers.

- ``thread``: one row per number, contact and channel, kept by the ingestion transaction that
  stores each message, so ``threads`` reads rows instead of grouping messages.
- ``idempotent_request``: ``sendMessage``'s (later ``placeCall``'s) idempotency keys, claimed
  before the provider is called.
- ``phone_number``: ``provider`` and ``whatsapp_enabled`` (document 004); ``sid`` may be null
  for a shared sender (Twilio's WhatsApp Sandbox), which several tenants register and none holds.
- ``message``: ``content_sid`` (a WhatsApp template), ``received_while_inactive``, and the index
  of ``messages(filter: {counterpart})`` across the tenant's numbers.

Aerich wrote the PostgreSQL statements (``aerich migrate``). SQLite cannot drop a column's NOT
NULL, so ``phone_number`` is rebuilt as SQLite's ALTER TABLE documentation prescribes, with
foreign keys off: with them on, dropping the old table would run its ``ON DELETE SET NULL``
actions and unlink every message and call from its number. PRAGMA foreign_keys is a no-op inside
a transaction, so this migration opens its own (``RUN_IN_TRANSACTION = False``), on PostgreSQL
too. The downgrade fails (changing nothing) once a shared sender is registered.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = False

UPGRADE = {
    "postgres": """
BEGIN;
        CREATE TABLE IF NOT EXISTS "idempotent_request" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "tenant_id" BIGINT NOT NULL,
    "operation" VARCHAR(32) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "entity_id" BIGINT,
    "error" JSONB,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_idempotent__tenant__621a84" UNIQUE ("tenant_id", "operation", "key")
);
COMMENT ON TABLE "idempotent_request" IS 'A client''s idempotency key: the first request with it acts, every later one gets its outcome.';
        CREATE TABLE IF NOT EXISTS "thread" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "counterpart" VARCHAR(320) NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "last_message_id" BIGINT,
    "last_message_at" TIMESTAMPTZ NOT NULL,
    "message_count" INT NOT NULL,
    "unread_count" INT NOT NULL,
    "last_read_at" TIMESTAMPTZ,
    "number_id" BIGINT NOT NULL REFERENCES "phone_number" ("id") ON DELETE CASCADE,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_thread_number__a5bb53" UNIQUE ("number_id", "counterpart", "channel")
);
CREATE INDEX IF NOT EXISTS "idx_thread_tenant__686c7c" ON "thread" ("tenant_id", "last_message_at", "id");
CREATE INDEX IF NOT EXISTS "idx_thread_tenant__c9f95c" ON "thread" ("tenant_id", "channel", "last_message_at", "id");
CREATE INDEX IF NOT EXISTS "idx_thread_number__3ffe3c" ON "thread" ("number_id", "last_message_at", "id");
COMMENT ON COLUMN "thread"."channel" IS 'SMS: sms\nMMS: mms\nWHATSAPP: whatsapp\nEMAIL: email';
COMMENT ON TABLE "thread" IS 'A conversation with one contact over one channel on one of the tenant''s numbers.';
        ALTER TABLE "message" ADD "content_sid" VARCHAR(34);
        ALTER TABLE "message" ADD "received_while_inactive" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "phone_number" ADD "provider" VARCHAR(16) NOT NULL DEFAULT 'twilio';
        ALTER TABLE "phone_number" ADD "whatsapp_enabled" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "phone_number" ALTER COLUMN "sid" DROP NOT NULL;
        COMMENT ON COLUMN phone_number."provider" IS 'TWILIO: twilio\nMETA: meta\nWPPCONNECT: wppconnect';
        CREATE INDEX IF NOT EXISTS "idx_message_tenant__f13603" ON "message" ("tenant_id", "counterpart", "created_at", "id");
COMMIT;""",
    "sqlite": """
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE "phone_number_new" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34) UNIQUE,
    "phone_number" VARCHAR(20) NOT NULL,
    "friendly_name" VARCHAR(64) NOT NULL,
    "iso_country" VARCHAR(2) NOT NULL,
    "region" VARCHAR(64) NOT NULL,
    "locality" VARCHAR(128) NOT NULL,
    "number_type" VARCHAR(16) NOT NULL /* LOCAL: local\nMOBILE: mobile\nTOLL_FREE: toll_free */,
    "voice_enabled" INT NOT NULL,
    "sms_enabled" INT NOT NULL,
    "mms_enabled" INT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* ACTIVE: active\nINACTIVE: inactive\nRELEASED: released */,
    "owner_id" VARCHAR(128),
    "label" VARCHAR(100),
    "website_id" VARCHAR(100),
    "monthly_fee" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "released_at" TIMESTAMP,
    "provider" VARCHAR(16) NOT NULL DEFAULT 'twilio' /* TWILIO: twilio\nMETA: meta\nWPPCONNECT: wppconnect */,
    "whatsapp_enabled" INT NOT NULL DEFAULT 0,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A number of the tenant's Twilio account, bought or registered; released ones stay as history. */;
INSERT INTO "phone_number_new" ("created_at", "updated_at", "id", "sid", "phone_number", "friendly_name", "iso_country", "region", "locality", "number_type", "voice_enabled", "sms_enabled", "mms_enabled", "status", "owner_id", "label", "website_id", "monthly_fee", "price_unit", "released_at", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "phone_number", "friendly_name", "iso_country", "region", "locality", "number_type", "voice_enabled", "sms_enabled", "mms_enabled", "status", "owner_id", "label", "website_id", "monthly_fee", "price_unit", "released_at", "tenant_id" FROM "phone_number";
DROP TABLE "phone_number";
ALTER TABLE "phone_number_new" RENAME TO "phone_number";
CREATE INDEX "idx_phone_numbe_phone_n_a7722d" ON "phone_number" ("phone_number");
CREATE INDEX "idx_phone_numbe_tenant__e1c9b8" ON "phone_number" ("tenant_id", "status", "id");
CREATE INDEX "idx_phone_numbe_tenant__4b6645" ON "phone_number" ("tenant_id", "owner_id", "id");
CREATE INDEX "idx_phone_numbe_tenant__8a2484" ON "phone_number" ("tenant_id", "sms_enabled", "id");
CREATE INDEX "idx_phone_numbe_tenant__933eb9" ON "phone_number" ("tenant_id", "voice_enabled", "id");
CREATE INDEX "idx_phone_numbe_tenant__eeaf6a" ON "phone_number" ("tenant_id", "mms_enabled", "id");
CREATE TABLE "idempotent_request" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "tenant_id" BIGINT NOT NULL,
    "operation" VARCHAR(32) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "entity_id" BIGINT,
    "error" JSON,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_idempotent__tenant__621a84" UNIQUE ("tenant_id", "operation", "key")
) /* A client's idempotency key: the first request with it acts, every later one gets its outcome. */;
CREATE TABLE "thread" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "counterpart" VARCHAR(320) NOT NULL,
    "channel" VARCHAR(16) NOT NULL /* SMS: sms\nMMS: mms\nWHATSAPP: whatsapp\nEMAIL: email */,
    "last_message_id" BIGINT,
    "last_message_at" TIMESTAMP NOT NULL,
    "message_count" INT NOT NULL,
    "unread_count" INT NOT NULL,
    "last_read_at" TIMESTAMP,
    "number_id" BIGINT NOT NULL REFERENCES "phone_number" ("id") ON DELETE CASCADE,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_thread_number__a5bb53" UNIQUE ("number_id", "counterpart", "channel")
) /* A conversation with one contact over one channel on one of the tenant's numbers. */;
CREATE INDEX "idx_thread_tenant__686c7c" ON "thread" ("tenant_id", "last_message_at", "id");
CREATE INDEX "idx_thread_tenant__c9f95c" ON "thread" ("tenant_id", "channel", "last_message_at", "id");
CREATE INDEX "idx_thread_number__3ffe3c" ON "thread" ("number_id", "last_message_at", "id");
ALTER TABLE "message" ADD "content_sid" VARCHAR(34);
ALTER TABLE "message" ADD "received_while_inactive" INT NOT NULL DEFAULT 0;
CREATE INDEX "idx_message_tenant__f13603" ON "message" ("tenant_id", "counterpart", "created_at", "id");
COMMIT;
PRAGMA foreign_keys=ON;""",
}

DOWNGRADE = {
    "postgres": """
BEGIN;
        DROP INDEX IF EXISTS "idx_message_tenant__f13603";
        ALTER TABLE "message" DROP COLUMN "content_sid";
        ALTER TABLE "message" DROP COLUMN "received_while_inactive";
        ALTER TABLE "phone_number" DROP COLUMN "provider";
        ALTER TABLE "phone_number" DROP COLUMN "whatsapp_enabled";
        ALTER TABLE "phone_number" ALTER COLUMN "sid" SET NOT NULL;
        DROP TABLE IF EXISTS "idempotent_request";
        DROP TABLE IF EXISTS "thread";
COMMIT;""",
    "sqlite": """
PRAGMA foreign_keys=OFF;
BEGIN;
DROP INDEX IF EXISTS "idx_message_tenant__f13603";
ALTER TABLE "message" DROP COLUMN "content_sid";
ALTER TABLE "message" DROP COLUMN "received_while_inactive";
DROP TABLE IF EXISTS "idempotent_request";
DROP TABLE IF EXISTS "thread";
CREATE TABLE "phone_number_new" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sid" VARCHAR(34) NOT NULL UNIQUE,
    "phone_number" VARCHAR(20) NOT NULL,
    "friendly_name" VARCHAR(64) NOT NULL,
    "iso_country" VARCHAR(2) NOT NULL,
    "region" VARCHAR(64) NOT NULL,
    "locality" VARCHAR(128) NOT NULL,
    "number_type" VARCHAR(16) NOT NULL /* LOCAL: local\nMOBILE: mobile\nTOLL_FREE: toll_free */,
    "voice_enabled" INT NOT NULL,
    "sms_enabled" INT NOT NULL,
    "mms_enabled" INT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* ACTIVE: active\nINACTIVE: inactive\nRELEASED: released */,
    "owner_id" VARCHAR(128),
    "label" VARCHAR(100),
    "website_id" VARCHAR(100),
    "monthly_fee" VARCHAR(40),
    "price_unit" VARCHAR(3),
    "released_at" TIMESTAMP,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE
) /* A number of the tenant's Twilio account, bought or registered; released ones stay as history. */;
INSERT INTO "phone_number_new" ("created_at", "updated_at", "id", "sid", "phone_number", "friendly_name", "iso_country", "region", "locality", "number_type", "voice_enabled", "sms_enabled", "mms_enabled", "status", "owner_id", "label", "website_id", "monthly_fee", "price_unit", "released_at", "tenant_id") SELECT "created_at", "updated_at", "id", "sid", "phone_number", "friendly_name", "iso_country", "region", "locality", "number_type", "voice_enabled", "sms_enabled", "mms_enabled", "status", "owner_id", "label", "website_id", "monthly_fee", "price_unit", "released_at", "tenant_id" FROM "phone_number";
DROP TABLE "phone_number";
ALTER TABLE "phone_number_new" RENAME TO "phone_number";
CREATE INDEX "idx_phone_numbe_phone_n_a7722d" ON "phone_number" ("phone_number");
CREATE INDEX "idx_phone_numbe_tenant__e1c9b8" ON "phone_number" ("tenant_id", "status", "id");
CREATE INDEX "idx_phone_numbe_tenant__4b6645" ON "phone_number" ("tenant_id", "owner_id", "id");
CREATE INDEX "idx_phone_numbe_tenant__8a2484" ON "phone_number" ("tenant_id", "sms_enabled", "id");
CREATE INDEX "idx_phone_numbe_tenant__933eb9" ON "phone_number" ("tenant_id", "voice_enabled", "id");
CREATE INDEX "idx_phone_numbe_tenant__eeaf6a" ON "phone_number" ("tenant_id", "mms_enabled", "id");
COMMIT;
PRAGMA foreign_keys=ON;""",
}


async def upgrade(db: BaseDBAsyncClient) -> str:
    return UPGRADE[db.capabilities.dialect]


async def downgrade(db: BaseDBAsyncClient) -> str:
    return DOWNGRADE[db.capabilities.dialect]


MODELS_STATE = (
    "eJztXVtz2zYW/isYvWwyo2Ycx7mss7MzsqM0bm3LEytNp1WHhklIwpgEFACyom3z3xcASY"
    "lXiZRFi6LxkNgmcQDyO+ABzhV/tzzqIJe/6NgC32Mx794jIlrH4O8WgR6Sv2Q3aIMWnEyW"
    "t9UFAW9dTQGDphZatL3lgsnL8u4QuhzJSw7iNsMTgSlRND2CgBhjMpL/QwHGsndEkAMEBR"
    "AIRCARbSBvhH/8xG06kfc9SqigBNvg5oajbzc34JkYI2BPGafs+Qs1uENtObrsuuJxpgR/"
    "myJL0BGSt5gc7c8/W34vFnZUC0nY+usv+QsmDvqOeEYTMvVuEUu2n9xZQ4xcJ8YYv42+bo"
    "n5RF87waMzIj7qturVby2bulOPLNtP5mJMyYIA+wwaSRAYFEiNINgU6Sdx3YCjIc/8N1w2"
    "8V8jQuOgIZy6is2K2n+A5bWWZV32+tZ1t29ZrdQUCCki3Aou2ZSo6SMflWsARuoRfvr34e"
    "GrV28PD169eff66O3b1+8O3sm2+nnTt97+8B9miZbflcbs7Oezy756ICrnqD+F1YUfmgYK"
    "6FNpbi3RV7wpBX9AsB7/EO1VDAgvLDmw/K4axoIl5HfybdOYn44hy0Y8bJ+AXL7IPkLuwe"
    "+Wi8hIjOWfrw5XoPlb5/Ppp87nZ68On8chvQzuHOpbcXClpFYiW4NUAuMEmYG6ONRl5XeM"
    "zIiRjcVIbIktDn+MbCP4g0XyaaM/gXOXwgzsf7nuXWYjHyFJ4O5gW4B/gIt5ZdO/9Z/hlN"
    "gKW3A7xa7AhL9Qw/63VRFbViCsIFI9e5x/c6NS5tlF5/ekADo9751oyCgXI6Z70R2cJBhi"
    "M6Qgs6BI8+SDvCOwh7L5EqdMsiYgfRH+so/ySb6g0yPuPPh4V7Cmf3bRve53Lq5i/PnQ6X"
    "fVnUN9dZ64+uxNgmeLTsDXs/4noP4Ef/Quu0k2Ltr1/2ipZ4JTQS1CZxZ0Ipvx8GqIWozr"
    "MaWjuBCMkZk1qJQUVIrc8C5TmfBhTbPiI2UIj8ivaK7ZcSafHBI7a6cVaOn9RUd7xoYf4U"
    "wLry7nMYOzhfYbn4Dy/eVbI+HvUTvXp50P3ZbG+RbadzPIHCsGuLpDD2niyqJt+pZ36CWv"
    "QAJHGh71HuqpA+RPoeu2Muwm+np7lbnEDlsUMpKo1i/AtYBiyvUf6vE58OAcQMbwPQJ0Kg"
    "AdAsocxN6DmxsXcmFJ7XOK5NS5ufFvcCDGyMu2j2x/iAKmEfljjWkkvtyo9m2wynpSoD3X"
    "71iwsYMZ0huB7PbGTlNLO43Z3jzF7c104mzI9Til4XpduB5iFGF78PQRm2yWqM23XfFMSV"
    "vMZlU3XT5usjoqYrI6yjdZHSVNVrG1L41vVy68qR1qDOtYB3W2Esol5aT35fLDMcDklk6J"
    "MyC9L/3gktz36GvJbVMRprx8U4ApL5Nfz5Ip6lacKUNGPfV1yA+Il5n3Sbo6s2PDL+BNkS"
    "/gTf4X8Cb1BUipswHUcSoDdAGgl3vywnJ8QdFAgLfvfvDhssaYC8rmZQyxacp62GPVeI2x"
    "x8Z06TR3ctXGFF2DfBSHL4/eHr179eZooTourqzSGNPeB2cq3z1zG5OLa5TEQJrh0GE4a5"
    "5+QDb2oJvj0QlpkvLDJ3oREO8fuCuQ+9A9PbvonD97edh+rWWDlBnYN12GUuPoICmrNVCW"
    "fLsMPTZ/QYxTNVC/KbIk5q+ISZCnPMcdnI9whKR58L48fFdEVTl8l6+rqHupXQfbzCITp9"
    "yCRaZm4O+vASZtd0MSwk14HKUzHK4zh030zC6jZ4zb3rjt68SGLbrt00JmC8BeyWvoctHb"
    "fomYouDGZGsMXPkE4PLL+fmqoIgl6gzZlDnyiTKsbycB7cdfPyM3Tx8OQP8c9tOgCf2jyt"
    "iRMwd5Eyq/EfFZ2W94ZgJOulF7VVQJXjS3WKT92hiTDrBdLKn+xcGiC3sO7tD8WMVzgCFm"
    "XICgSzDDYgywALJL3gboHrE5kNMDMSC/OzBCQvYi/9GpsKncwiX9JtWONiADcupCuWV0wD"
    "NMpMomp+FzcIuGUozo7ieM3stxGcB+oAty2oBTFdoiZvKp5uHI3A98UWlDUMjBbKRGHMgu"
    "iSPvEQcQTOQ3hwiYQfmAcoDok7wH/vQGEzmULwo1EZ0g37akRyVyYBUdE7T4Fx8QiYN6NP"
    "WmQMA72b3qWYzlNTl+wdCaxSjqD9ljKs7GRK7UMnLF7PV2utWOfTZF7UIxIuONKuCNUgKp"
    "BMBB8wZCu31P6lAOjtiE4SwdZUV4QJzMQF0A6p2ldNVMZdmNqEaM0QxtMd+RvSB4kP+6Zt"
    "ibxKHasGJPYyzzImtTJrDdpFhcIM6hFjAp5Ti81V6lEnuRRoVyLQKCF6rmgw59ublR6tiQ"
    "Iak+ou/iGEDg3wD9GXYxBRJHHqiksqEKk1EqJaFKhx1OOXKyMy6qGqiueRf2GBKC3IKtt5"
    "mlkX4UOiUSxQlkIp8i/n7rKIw+XUt92qxXT2W9MpkgTea6yQTZpaYbWbo3yQOJkNfZsNC6"
    "vrg+BtzjA3KhfvPUb18/dfrXnaurYzAbQ8HlRnNAuheds/NjgDyI3eTWbjdZISZVx6Tq1H"
    "zdSZiUDwrZlA9WGJVTcbMmW+fxsE7oQ0XBTpAZtIuhfUudDIdJH33P0SHD9o+Hb6tVEbqr"
    "9qfd3/urDZyL7el57/LnsHnS6hmH2kMOhmXMygsCkxa1dWuzSQs0aYFPef5rl5UE3SmTEx"
    "gnapCDcWvZaz5CEc9AUemSImye8eDw9esCQka2ypUy+l6q+qbF0chDasjiMzlJZuayycQ0"
    "mZg7FxEmE3P/MjHliDosvKSNPEHWPLC3XzWJIRvhe+RYszF2kYWJPhkjQ0SfUOoiSLKBX9"
    "FLggm3spuqNtiLK48rq096vfPYXvrkLKm5f7k46cqPICHJTd3vOnjjTTS7yVysJxtM5mIN"
    "wH1Y5mKVsYZR+DPiDRPcyY85nKiG1nJWFEnA81uDWzodjQUQY6Z+AX02JXcuJghQBhgaYS"
    "4QQw5QLkKdzBamjS1CBG3tYnkvG8vNBUcpV2iFQw2I37MKTVRlozkIrINBAhvC8n8Gh0Ns"
    "5wUqrg5KXBp3M6P66Iws5lV2TKHHLfm35FJ+m3uqlLd1rbx0TyYA0AQA7tdquKehYCYA8C"
    "lyveYBgLuVtBWbNJL7mcKG0ARdVS7Z3WFdKNhjRaxHOtRjyDAijju39IUSYKcIGxD8UXVc"
    "K+bU0pvYLN93PtQJssYBXSTMID/KIBVkoJSJchn1S4rGYbv9SexSG7pYlJrBUZrGQVyJAy"
    "WwWmiUMoFeH2Od6OIRcdfsLgl+67x32jk/Bpp2QC56J2fn3WPg0VvsogHp987PrY+fu/KS"
    "oK5rqbTFpK1hN2HXKQ2+hNslRWucLSWcLQn7SgncE5QG9RKoexuj7hnUN5/rK0JT1y8Fuw"
    "hTbS1dyGWWgc5p/+w3KeV96gE5uwyvhE7pAfncPe92rrsfjnPNzrtZCqIW4aJboyhN8+Id"
    "KtkbyTfPSw7M2X6GBA0E+KCISUC2ygf4IGUUmKFbLiVRyZkcpzJQF4Lao0SM3bk1RGWjKh"
    "OUTzG28qB9ZGIr6xRbGS7HGzhCEqSmQH99HB9pf1dY03bT/WiU/hF3pEJHEpTdkfa/np2f"
    "9eR80tQDctHtd46BhwQckK9XV6e9y8vuaf8YzCYTyXKCbFGP3WhYQGBDbS2L3KhsJVQ2E4"
    "1oohHrxIYtRiPmx8tFImGg6z6wyP+p7GJvF/p0ef943rdO6nsgQJGShA3ESIxV7MgDIerr"
    "Thr0uVZ6SsTyWI2MgNTYmRv54ags1qzIYRDyMwcLqvdACxx1DoI6hkGE8Z93CE24jgxldO"
    "Yf0xCUq7y58UWUc3OTefrDlruvsOCletR0AxPraWI990x47WnUn4n1fIpcr1msZ+24WnG4"
    "pzkve+tVGoIKmGWKX0RJHs/q8HJPADWVoSquDKXLmllTVsqvGyNqnnPm9csiMMtWuTjre6"
    "aASy7epoDLHjoZI0pycc03QmRs6iU1YOPSMC6NerKhogILduB3eCCsBd0X+wpqRKSW9RJV"
    "acK+RsT5mWHnGgmhz5nOsGSn2rRXGbTVCbwj2dri0eYFDNuLEgbheOrQYfAMEZvNJ/qcYH"
    "VCrzrEt3uPiABf0e2Y0jtwjxgeYluruD7JZHrrYvt5lnm7mkHWF0swRmljlN4vwban5klj"
    "lH6KXC9ilIYTbEnJbS1kfZr5+UX7M4kbYataxeEqavgjta5a0fXUyjxxOp8X+T00wRrw2P"
    "zQB9osTksqaoWJUzXiQ3iEo0I0auVrR0SIGpcPXklJ881ieHcTuhtuuk3k7oPNXE9EoUkZ"
    "ucqYDtYbxHoE9an8r3Jz2E7ZVVV874OsMQGWGTaYJcr5lpclQwuYWwjoTMX4AFA2ggT/T2"
    "+j3oNAqwWU6OC+IWZcnV8t+cVVMUoogA0Zw4hrE8nNjaSW0GRGElYwgDGz1FgqtY2Z5Qkp"
    "3MbM8hS5XsTM4kvsMgrOkmI72k2Nyj1uv6BYWe3RKI5lFEddMwWLucXRt3IbhiTl4znuD/"
    "Z+61BCoUmzKoNNJRKeOkEv2tu3hwtJodSwx0su3Et4Hju7cC9BipYLfiBS5Q7S2Eu0Fgl0"
    "D4QqlkTYRKBM1urDs1YjgfdZsTfZuIZWvvXoZoX/7KVLbc1M1JmtW0XOT5ZtIG5lzZr+95"
    "ll1lx8uSvMmss2RdKjKbmXK5QfqKUTk+Vio64KSQiovOdf8BN4lB1S/UmH8VN0gnUuM0F6"
    "qwMMyIB0AKOuO520wYxhIZsA7FtHuQRLHcpDOPQP0oYcIGiPQbBjUTnZutQ5bwNO9WneKl"
    "M7kKkDon/o4VWW9gSx4Jbsnwv1Uz7ViNHpxKdCYb8cPIPBowIPzsGYug7wsCsnM+G5EW9/"
    "xg+P0g+G2AQyva8O8FiX6e1CLsIznBPp3vGM8KC71SSxB8ppZ0zGxmS8X7uGPTUeGpPxU+"
    "R6EZNxYqkoatpMkJkgpGJBSJGlM430+mqEEfI6I966vrg+BtyT26AL9Zunfvv6qdO/7lxd"
    "HYOwXt+AdC86Z+fHYBHLtvtShLGNStldSAZxg3L+HzmDL2PLWGZNyiBv4MK0vwtRev8RMk"
    "svLWl25351KbrGuH+2VhRiqtXR0sgmyQywmUJKg7ShhIrQmkLSdZZOMXNG8S1BjMwklJt8"
    "/v2B3+TzP34+f95RsqWBbaafN4luTLrWKbU/4X3K8r6k/FMrvDBp91ippP6gcCy09U7uBb"
    "hGNkOCA8gQ4EJOLQcscivb4FY2coCgEafJymz+7fRu4strvBS0jbPgCZmNjbPgKXK9iLMg"
    "kPFWyRqzCbLGRZpvv9KsZMJYroV3iGxYMiGHvs5eg62YFarI0g/rT5Sd9XGyJtRHqHzah5"
    "DpLeTDqoVk9dEEHuykRkWeXrqucsKCrAnIJ3JgiriHV3iH085h35Ehn0DOXXavKq2WlDi5"
    "HVSEfpNW3GhoId+UASs7ad4nsH0uiBn2XEud5VcS+RShQXs92qZUyyOWarmHLt5UZ07SGl"
    "dhfZTktG1k5tctVebrIR5NWekvLLsDc6Rpia8tDeEGn11uJ+b7q/P3Vx9f8RNxD5iiWPXy"
    "KG/PjxmU4P6MbCTfqJXhx0y0aK/yY4bylEUar/VjXjFKhwAu/Y2yWyy1rDmYQQ4mjNpS60"
    "XOe+1Q9Fmpi4SLKSNc0kmpHRJIUKm8QuhPdJJ2aVY1kEoz++I312lguvtjAAlVjs6M4TAH"
    "BKlcNgHvEAFDyuK963w2rJPLCh7zGT3FXv70JlTetue6dGsyKcy4WWvpZq3PorZrpXgn8W"
    "fRL6ioTSJK0wjHS9XJF0nRVALrDNIGQr79klYmeiMf+v304+dFbzxok769HWUHMWyPs3aS"
    "wZ2VO0i4bLNu45jP5y2Hmj2VDdADkybytzbKZZJ5qm6+uI+QNFDMV1NeT35UJRAOmjcQ3Z"
    "cHRTy3slX+zuUgndhLiUBZxotfrnuXuc7CkCS5emJbgH90TZE9RHsFuAqM2BKZClBIxiIk"
    "1j7VwclDLU4PXcx+/B8oV2++"
)
