"""Idempotency receipts per tenant, keyed by the digest of the delivery's idempotency key.

A receipt was unique by (provider, key) across all tenants: a tenant's genuine delivery that came
with a token another tenant had used was taken for a redelivery and dropped. Now the key is
unique per tenant (``tenant_id`` required) and is the SHA-256 of the idempotency key (64 hex
digits), so a long token is no longer truncated into another delivery's key.

Receipts written before this migration are keyed the old way and can match no delivery any more:
they are dropped. A Twilio retry in flight across the upgrade is then stored again, which the
entities' own rules absorb (an inbound message's sid is stored once; a status already recorded
does not move the entity).

Aerich wrote the PostgreSQL statements (``aerich migrate``); SQLite cannot alter a column's
nullability or a table's constraints, so there the table is rebuilt, as SQLite's ALTER TABLE
documentation prescribes.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

UPGRADE = {
    "postgres": """
        DELETE FROM "webhook_receipt";
        ALTER TABLE "webhook_receipt" DROP CONSTRAINT IF EXISTS "uid_webhook_rec_provide_3793e2";
        ALTER TABLE "webhook_receipt" ALTER COLUMN "tenant_id" SET NOT NULL;
        ALTER TABLE "webhook_receipt" ALTER COLUMN "idempotency_key" TYPE VARCHAR(64);
        ALTER TABLE "webhook_receipt" ADD CONSTRAINT "uid_webhook_rec_tenant__12e6cf" UNIQUE ("tenant_id", "provider", "idempotency_key");""",
    "sqlite": """
        DROP TABLE "webhook_receipt";
        CREATE TABLE "webhook_receipt" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "tenant_id" BIGINT NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "idempotency_key" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_webhook_rec_tenant__12e6cf" UNIQUE ("tenant_id", "provider", "idempotency_key")
) /* Proof a tenant's delivery was processed; the unique key turns a redelivery into a no-op. */;""",
}

DOWNGRADE = {
    "postgres": """
        DELETE FROM "webhook_receipt";
        ALTER TABLE "webhook_receipt" DROP CONSTRAINT IF EXISTS "uid_webhook_rec_tenant__12e6cf";
        ALTER TABLE "webhook_receipt" ALTER COLUMN "tenant_id" DROP NOT NULL;
        ALTER TABLE "webhook_receipt" ALTER COLUMN "idempotency_key" TYPE VARCHAR(255);
        ALTER TABLE "webhook_receipt" ADD CONSTRAINT "uid_webhook_rec_provide_3793e2" UNIQUE ("provider", "idempotency_key");""",
    "sqlite": """
        DROP TABLE "webhook_receipt";
        CREATE TABLE "webhook_receipt" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL,
    "tenant_id" BIGINT,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_webhook_rec_provide_3793e2" UNIQUE ("provider", "idempotency_key")
) /* Proof a delivery was processed; the unique key turns a redelivery into a no-op. */;""",
}


async def upgrade(db: BaseDBAsyncClient) -> str:
    return UPGRADE[db.capabilities.dialect]


async def downgrade(db: BaseDBAsyncClient) -> str:
    return DOWNGRADE[db.capabilities.dialect]


MODELS_STATE = (
    "eJztXW1z2rgW/isavtx2JptJaJr2pnfuDEnobnaT0Al0u7ObjhG2AE1sicoiKXe3//1Ksg"
    "1+JTbBgI2+tEQ+R7afIx1J5zyS/2441EK2e9gyOX7EfNZ+RIQ3zsDfDQIdJH6kCxyABpxM"
    "FpdlAYcDW2lAX9RAc9mBy5koFleH0HaRKLKQazI84ZgSqdMhCPAxJiPxL+RgLGpHBFmAUw"
    "ABRwQSfgDEheCPn1yTTsR1hxLKKcEm6Pdd9K3fB6/4GAFzylzKXh/Km1vUFHcXVZd8nynB"
    "36bI4HSExCUm7vbXXw2vFgNbUkIoNr5+FT8wsdB35KaIkKkzQCwuP3kwhhjZVsQwnowqN/"
    "hsosrO8eiK8I9KVr76wDCpPXXIQn4y42NK5grYM9BIgMAgR/IOnE2RehLb9i0a2Mx7w4WI"
    "9xohHQsN4dSWZpba3gMsyhqGcdvpGd12zzAaiSYQaISs5ReZlMjmIx7VVQCM5CP89O9m88"
    "2bd82jN6fv3568e/f2/dF7IaueN3np3Q/vYRZoeVUpzK5+vrrtyQeioo16TVgW/FA6kENP"
    "S1lrgb60TSH4fYXn8Q/QXmaAoGBhgUW/qpkJFpA/iLdNYn4xhiwd8UA+Brl4kSpC7sDvho"
    "3IiI/Fn2+aS9D8vXV38Uvr7tWb5usopLf+laa6FAVXeGrpshVIBTCOqWmo80Nd1H9H1LQb"
    "WdmNRIbY/PBH1FaC3x8k9xv9CZzZFKZg/2u3c5uOfEglhruFTQ7+ATZ2S2v+jf8Mp8SU2I"
    "LBFNscE/dQ3va/jZLMsgRhCZGs2XHdb3bYy7y6af0Rd0AX151zBRl1+YipWlQF5zGDmAxJ"
    "yAzIkza5FFc4dlC6XaKacdP4qofBjyr6J/GCVofYM7/zLjFN7+qm3e21bj5F7HPZ6rXlla"
    "YqncVKX53GbDavBHy56v0C5J/gz85tO27GuVzvz4Z8Jjjl1CD0yYBWaDIelAaoRaweWXTk"
    "d4IRNT0GFfKCciE3fEhdTHiwJk3xkTKER+Q3NFPmuBJPDomZNtPyV+m9eUUVM8OPoKUFpY"
    "t2zODTfPUbbYDi/cVbI+7NUVvdi9Zlu6FwHkDz4Qkyy4gALq/QJo2VzGWTl5ymEy+BBI4U"
    "PPI95FP7yF9A226kxE1U+cGycIkZSOQKkkjpQ9DlkE9d9Yd8fBc4cAYgY/gRATrlgA4BZR"
    "ZiH0C/b0OXG2L1OUWi6fT73gUX8DFy0uMj679FSmhkeRgkOrSIMiG+LFKSQ95V75NT2MIM"
    "qUE/XV7HZHYyJqOnMvs4lZlOrBWtHtXUVt8VqwcYhczuP30o/prmarPjVG6qp80Xn4qv27"
    "fraaPBqZM8wamT7ODUSTw4FRn5kui2xbCbmItGkI5UsMvxQDGgnHc+316eAUwGdEqse9L5"
    "3POLxAxHlcUnSHmMcnyawyjH8b6zMIq8FDXKkFFH9g3RfdwirT6ut8vmWLEHnObpAafZPe"
    "A00QOEz1kB6qiWBjoH0IsZeW4vPteoIcDrTzR4cBlj7HLKZkVCrknN3Yi8yvvVJvIaWTUn"
    "rZO5aEzo1Sgb0Tw+eXfy/s3pyXzhOC9Ztl5M5hmsqXj31GlMJq5hFQ1pSuqG4bR2eolM7E"
    "A7I3cT6MT9h6d06CtXD9wlyF22L65uWtevjpsHb5VvED4De0HKwGucHMV9tQLKEG+XsorN"
    "HhCjWmtZ3Wy70UbHxDxDYvaIGAd56mYkfrMRDqnUD97j5vs8S5Xm++y1iryWmHWw1eIxUc"
    "01xGN2DPzqhl+SUTckIFzFxmE9beFdtrDmyWyTJ6MT9DpBv0tmWGOCPulk1gDsJ1GGbue1"
    "VcvF5AU34lsj4IonALefr6+X0R8WqDNkUmaJJ0qJvp37uh9/u0N21nrYB/0uqKdGDfpHmS"
    "yRG+S6UDm0BFEkuHSwjCvihIRy0UV8hUO5bUXF9Pp9gF0wZAgBjr7zMwCBdwH0nrCNKRAz"
    "BBcIwyMmBWX8D1kHgFAOGBqK1ZCVThop60a7QB0xx5AQZOeUXifRRMpHn5ZOiUBsIhZK6R"
    "qamqKpKdVyxBUlKWhqyj5aXVNTtpcvDg3DqxBTQuq7nD1udG+6Z8B13HtyI3858teXX1q9"
    "buvTpzPwNIbcFRPEe9K+aV1dnwHkQGzHp2Tboalo7pDmDu34qBNjXBzlolwcLeFcJBJ5mj"
    "60Oaxjq6G8YMfUNNr50B5QK4VE1BOL+3SYA/nN4dtolITustlp+49eZGKaoAbNJ6fXnduf"
    "A/E4XygKtYMsDJNYZxO25gqap7XcGCvwtDRPUfMU97n9I8YoE6BbRUiKUaUa5YHXRqfzEA"
    "pF9PN6l4Ri/YhJzbdvczgZIZXpZdS1xMEfhotGDpK3zN+S42q6LWtqqKaGbt1FaGpo9aih"
    "mlKmKWV7Bb+mlGlK2W6D+zJKWZlcqTD8KXypmHWyOVMTKWgsWsXzxKkW8KTBgE5HYw74mM"
    "kfoMem5MHGBH0ATMAEXWT5kpK/JI/HcYEfigBDyuT5N1j8y+BwiM0kbaq82xQmTS0CVqks"
    "JfpE5m0knfPkuIb4WyCeLfNI5YT0OSknWZOmNGlKU7VGtoqSWzSlaR+tvmOUph1ztSUftx"
    "OfnOSO7sT0ysozbQ/rXBnsJQnsZP56yDAilj0zVEEBsBOKNchol03Wwy41FM8iLaGXDXVM"
    "rXZA58mdZqdOE5lThkaZdLt0gBcatcN2/Y3Ypia0MS/UgsM6tYO4zKiwQikV6OeJo7EqNo"
    "i7MndB8BvXnYvW9RlQuvfkpnN+dd0+Aw4dYBvdk17n+tr4eNcWRZzatiH3UMWDB9vhkiaW"
    "8LG1N6U2giS9XyR0Y0YaCOWyrDQv2Wy277zTuY5M8M+v4tyvzzfnbWGEWC4wGbuPBVgK4B"
    "7T1KgXQN1ZGXVHo756W1/Ct3t+KNgG98775B0qOgy0LnpXvwsv72nfk6vboASToOyufd1u"
    "dduXZ/NY8G4MBeGQcN6pUVhHZ8xzzY3Em2fteMqYfgYKNQT4KE9IQEhlA3yUCAo8oYErPF"
    "HBlhzV0lDngtqhhI/tmTFERaliMc19JIwdHZxowtguEcaC4XiFTEhMVR+DtjuZj2TCS7Om"
    "NGtql8ywRtZUnqOi5PefXnhKVPAJrEr6sOT5UNF9emoTxgsBCh39VBOMyuSFLQ4dS2GFRU"
    "4ky+aEsYhYDkKY7AZgrvUBqN4kPyOPufxcvH+k1QNCE/XZM8DoE3jCfBycedXve/3P6vfT"
    "iGDrrn5Np2bJx0oKaEKWJmRVbNCsKDVHE7L20eqakLXN75/p74ase3Oof/BWkT23YZXNLZ"
    "6PKwKoPpCi5AMp1GkqxpQVyrxElOoXPn17nAdmIZWJs7qm941n4q33jVcwDRBaIudf94aU"
    "dGhY72euDvw6Mr/5/cymHz5/Iaw5o/BVBTXkUosmO8oMVncRsX5m2OoiztX3NlJi1gmZg2"
    "Wha1dIj4S04YbFc4SwvWb3LxcE9wMPaAZeIWKy2US0h9cAEgtg7oL2IyIcfEGDMaUP4BEx"
    "PMSmWuJ6KpPpwMbm67RAdjk3eT6crUPSOiRdLcdW0eCkDknvo9XzhKThBBvCcxtzX580fv"
    "ZZwanKtYhVLbNwGUcHIzmuGuHxVAJbxBbZNdQhGrBpe6hz9Ocfaci/5TisVYuOsIETyhVq"
    "xXd3h5Rqt2OzlJNUV9sTtZ39UMGku7LboXYnzLUnC5pEkKtI6OD5gFiHoB4V/5QeDtuquc"
    "qiqb4oGuNjmRKDWaCcHXlZGDRHuIWA1pSPjwBlI0jw/9Q06gPwV7WAEkXjG2Lmys9dCnu5"
    "8vw3yIEJGcPIVSGSfl9oC2hSOYMl3ECHWXbYKx3oMMseLbh1mGUfrZ4nzOJ57CILnIVG7f"
    "h/6z/yp+jqUS8ciywc1akGmM8MF30rNmGIa24ucX9U+alDgQVN0lQpZiqwtanl16KyfRUc"
    "SHLtAtvcHrlKwrPpTXKVBCl8oOcLkSp2bn0l0ZpvlXshVJHtgnUBqhCfJcQqTyOWpEMbhL"
    "CeBziN21LJfNHy9sjVBs21Iuft+awhbkVjdlEc0mJ3CaSWxPCShirEnfJ34kJTHVJ7CLrI"
    "ZIi7ADIE5BcZkAXmKewDoD4DDjhVsTivjqWkqfXUrsN4OzwXP9BhvD0K6Ogw3j5aPRdbyv"
    "PxRsGNvDG12gX01r+hVxhhLMbCB0RWZKZl6NeCk7NpMlRA8yva6qNqdaChld7sA8jUFPJl"
    "pMy0Oupgg61QAYt/6yWmVgfky/7UixdyFE8g2i57lBtaC3qczApKQr9OI6643SNiropvuK"
    "saYGkl9esC67cCf8KObcDJpCjyCUWN9vNoa0bsBhmxj9DGq66Z47r68N3dWSQnYyNP3vZQ"
    "GUUe4tGUFe5h6RXoz3EU6G1JCFfodpmV6P63y/1P7z3YXaqO3ntQqb0H/kkHd8hE4o0aKX"
    "nMmMTBsjxm4E9ZSPjZPOYnRukQwEW+UVSLxSprBp6gCyaMmmLVi6wPKqHomVKdxcCnjLhC"
    "T3jtQEGASkUJoT/RSTKlWdaN7sk9+eyJTxDzqz8DkFCZ6Ey5HXYBQY/yEnxABAwpi9Yunp"
    "KPhRAlKCt1GjsoWTz8I7a8SIz435lQcdmcqR2yX3WadVf86MGSNOvuDGrbXhRv5diucA/K"
    "G5MI69Qi8VL259nirqkA1imqNYR8/TsHNHsjG/pq5vGz2BsvmqSvb0bZQgyb47SZpH9l6Q"
    "wSLmSemzhm23nNVLN9mQC98CTo7KmNTJkU/CB8SKWGbr6cXUyiUxVA2BevIbqlfCZS3JGj"
    "tODFr93ObWayMFCJj57Y5OAfYGO3ihP0JeBKMCJDZIKgEOcixMY+WcH5SyNOLx3Mfvwf/O"
    "t1nw=="
)
