"""Voice: per-number inbound call handling, browser-calling grants, who placed and took calls.

- ``phone_number``: ``voice_mode`` (RING_OWNER, FORWARD, VOICEMAIL, REJECT), ``voice_forward_to``,
  ``voice_greeting``, ``voice_ring_seconds``, ``voice_voicemail``.
- ``voice_grant``: what each Voice SDK access token lets its browser client do (the roles of the
  user who asked for it), read by the voice webhook when that client dials out.
- ``call``: ``answered_by``, ``bridge_to`` (where a placed call is connected once answered),
  ``refusal`` (why the gateway refused a browser call) and the index of ``calls(filter: {mine})``.
- ``recording``: ``number_id`` (the call's number, copied) and the index of
  ``recordings(filter: {numberId})``.

Aerich wrote the PostgreSQL statements (``aerich migrate``); the SQLite ones are the same
columns in SQLite's spelling (it adds a column with its foreign key in one ALTER TABLE, and drops
one since 3.35).
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

UPGRADE = {
    "postgres": """
        CREATE TABLE IF NOT EXISTS "voice_grant" (
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "identity" VARCHAR(121) NOT NULL,
    "user_id" VARCHAR(128) NOT NULL,
    "admin" BOOL NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_voice_grant_tenant__cd5cd1" UNIQUE ("tenant_id", "identity")
);
COMMENT ON TABLE "voice_grant" IS 'What a Voice SDK access token lets its browser client do, kept for the voice webhook.';
        ALTER TABLE "call" ADD "answered_by" VARCHAR(128);
        ALTER TABLE "call" ADD "refusal" VARCHAR(32);
        ALTER TABLE "call" ADD "bridge_to" VARCHAR(128);
        ALTER TABLE "phone_number" ADD "voice_voicemail" BOOL NOT NULL DEFAULT True;
        ALTER TABLE "phone_number" ADD "voice_ring_seconds" INT NOT NULL DEFAULT 20;
        ALTER TABLE "phone_number" ADD "voice_greeting" VARCHAR(500);
        ALTER TABLE "phone_number" ADD "voice_forward_to" VARCHAR(20);
        ALTER TABLE "phone_number" ADD "voice_mode" VARCHAR(16) NOT NULL DEFAULT 'ring_owner';
        ALTER TABLE "recording" ADD "number_id" BIGINT;
        COMMENT ON COLUMN phone_number."voice_mode" IS 'RING_OWNER: ring_owner\nFORWARD: forward\nVOICEMAIL: voicemail\nREJECT: reject';
        CREATE INDEX IF NOT EXISTS "idx_call_tenant__fecf0a" ON "call" ("tenant_id", "user_id", "created_at", "id");
        ALTER TABLE "recording" ADD CONSTRAINT "fk_recordin_phone_nu_c0d86e2b" FOREIGN KEY ("number_id") REFERENCES "phone_number" ("id") ON DELETE SET NULL;
        CREATE INDEX IF NOT EXISTS "idx_recording_tenant__06a13b" ON "recording" ("tenant_id", "number_id", "created_at", "id");""",
    "sqlite": """
CREATE TABLE IF NOT EXISTS "voice_grant" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "identity" VARCHAR(121) NOT NULL,
    "user_id" VARCHAR(128) NOT NULL,
    "admin" INT NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "tenant_id" BIGINT NOT NULL REFERENCES "tenant" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_voice_grant_tenant__cd5cd1" UNIQUE ("tenant_id", "identity")
);
ALTER TABLE "call" ADD "answered_by" VARCHAR(128);
ALTER TABLE "call" ADD "refusal" VARCHAR(32);
ALTER TABLE "call" ADD "bridge_to" VARCHAR(128);
ALTER TABLE "phone_number" ADD "voice_voicemail" INT NOT NULL DEFAULT 1;
ALTER TABLE "phone_number" ADD "voice_ring_seconds" INT NOT NULL DEFAULT 20;
ALTER TABLE "phone_number" ADD "voice_greeting" VARCHAR(500);
ALTER TABLE "phone_number" ADD "voice_forward_to" VARCHAR(20);
ALTER TABLE "phone_number" ADD "voice_mode" VARCHAR(16) NOT NULL DEFAULT 'ring_owner';
ALTER TABLE "recording" ADD "number_id" BIGINT REFERENCES "phone_number" ("id") ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS "idx_call_tenant__fecf0a" ON "call" ("tenant_id", "user_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_recording_tenant__06a13b" ON "recording" ("tenant_id", "number_id", "created_at", "id");
""",
}

DOWNGRADE = {
    "postgres": """
        DROP INDEX IF EXISTS "idx_recording_tenant__06a13b";
        ALTER TABLE "recording" DROP CONSTRAINT IF EXISTS "fk_recordin_phone_nu_c0d86e2b";
        DROP INDEX IF EXISTS "idx_call_tenant__fecf0a";
        ALTER TABLE "call" DROP COLUMN "answered_by";
        ALTER TABLE "call" DROP COLUMN "refusal";
        ALTER TABLE "call" DROP COLUMN "bridge_to";
        ALTER TABLE "recording" DROP COLUMN "number_id";
        ALTER TABLE "phone_number" DROP COLUMN "voice_voicemail";
        ALTER TABLE "phone_number" DROP COLUMN "voice_ring_seconds";
        ALTER TABLE "phone_number" DROP COLUMN "voice_greeting";
        ALTER TABLE "phone_number" DROP COLUMN "voice_forward_to";
        ALTER TABLE "phone_number" DROP COLUMN "voice_mode";
        DROP TABLE IF EXISTS "voice_grant";""",
    "sqlite": """
DROP INDEX IF EXISTS "idx_recording_tenant__06a13b";
DROP INDEX IF EXISTS "idx_call_tenant__fecf0a";
ALTER TABLE "call" DROP COLUMN "answered_by";
ALTER TABLE "call" DROP COLUMN "refusal";
ALTER TABLE "call" DROP COLUMN "bridge_to";
ALTER TABLE "recording" DROP COLUMN "number_id";
ALTER TABLE "phone_number" DROP COLUMN "voice_voicemail";
ALTER TABLE "phone_number" DROP COLUMN "voice_ring_seconds";
ALTER TABLE "phone_number" DROP COLUMN "voice_greeting";
ALTER TABLE "phone_number" DROP COLUMN "voice_forward_to";
ALTER TABLE "phone_number" DROP COLUMN "voice_mode";
DROP TABLE IF EXISTS "voice_grant";
""",
}


async def upgrade(db: BaseDBAsyncClient) -> str:
    return UPGRADE[db.capabilities.dialect]


async def downgrade(db: BaseDBAsyncClient) -> str:
    return DOWNGRADE[db.capabilities.dialect]


MODELS_STATE = (
    "eJztXWtz4ria/isqvkx3FZNK0tdNb20VSdM9mUlCV0JPTp3hlBG2CN7YEiOJ0Ow5/d9Xkm"
    "3wFWyCg230YaaJrVeSn1e396p/t1xiIYcddUxuP9l80X1CmLfOwL9bGLpI/Egv0AYtOJ2u"
    "XssHHI4cRQH9ogZalh0xTsVj8XYMHYbEIwsxk9pTbhMsaXoYAT6x8YP4P+RgImpHGFmAEw"
    "ABRxhi3gbiRfDHr8wkU/HeJZhwgm0TDIcM/T0cgld8goA5o4zQ10eycYuYonVRdcntzLD9"
    "9wwZnDwg8YqK1v76q+XVYtiWLCEIW//6l/hhYwv9QCylCJ65I0Tj5aePxthGjhVhjFdGPT"
    "f4YqqendsPl5h/UWXlp48MkzgzF6/KTxd8QvCSwPYY9CBAoJAj2QKnM6R64jg+RwOeeV+4"
    "KuJ9RojGQmM4cySbJbXXgdWzlmHc9PrGXbdvGK3EEAgoQtzyH5kEy+EjusoUAA+yC7/+1+"
    "npmzcfTo/fvP/47u2HD+8+Hn8UZVV/k68+/PQ6s0LLq0phdvn18qYvO0TEGPWGsHzwU9FA"
    "Dj0qxa0V+pI3heD3CTbjH6C9jgHBgxUHVvOqYSxYQf4ovjaJ+cUE0nTEg/IxyMWH1BFyF/"
    "4wHIQf+ET8+eZ0DZp/dm4vfuvcvnpz+joK6Y3/5lS9ioIrVmq5ZCuQCmAcI9NQ54e66Pod"
    "IdPLyNbLSGSLzQ9/hGwr+P1N8rDRn8KFQ2AK9r/f9W7SkQ+RxHC3bJOD/wDHZqUN/9Z/j2"
    "fYlNiC0cx2uI3ZkWz2f1olsWUNwhIiWbPL2N9OeJV5dd35R3wBurjqnSvICOMPVNWiKjiP"
    "McSkSEJmQJ7kyWfxhtsuSudLlDLOGp/0KPhRx/VJfKDVw87Cn7xrWNO/vO7e9TvX3yL8+d"
    "zpd+WbU/V0EXv66n2MZ8tKwP1l/zcg/wT/7N1042xcluv/syX7BGecGJjMDWiFDuPB0wC1"
    "CNcjQkf+RTBCpvegQqugFOTGj6nChAdrkhVfCEX2A/4DLRQ7LkXPITbTTlq+lN5fVlQzNv"
    "wMRlrwdDWOKZwvpd/oABTfL74ace+M2rm76HzuthTOI2g+ziG1jAjg8g05JbEny7LJV+6p"
    "G38CMXxQ8MjvkL32kb+AjtNK0Zuo5+116hIzKJFLSSJLH4E7DvmMqT9k9xlw4QJASu0nBM"
    "iMAzIGhFqIfgLDoQMZN4T0OUNi6AyH3gsG+AS56fqR3TeRQzUi/tmgGoluN7J8G6zTnuQo"
    "z9Q35ixs2RSpg0DO8jO2pitaq1NJrY4+DB3iYWg2tbbkepRSc70qXA8wCrHd731Ig5u21G"
    "ZruljqSptPw1U1yT+q4HqbR8H1NlvB9Tau4IrslEl8u2KbTpxnI1hHKqiyTlFsKee97zef"
    "z4CNR2SGrQHufe/7j8QpST2LH7LyMOXkfQ6mnMRnz4op8lWUKWNKXDk7xARiRcZ9nK7K7N"
    "hyBrzPMwPeZ8+A94kZIFadLaCOUmmgcwC9OsHnXseXFA0EePfGCg8uY2IzTuiiiNo2SVkN"
    "7a1srzHa24jkneROptiYoGuQReP05O2Htx/fvH+7FB2XT9ZJjElbhTUT3556jMnENUyiIU"
    "0x/1A7bZx+RqbtQifD/hPQxNcPj+jIJ64fuGuQ+9y9uLzuXL06OW2/U2uDWDNsT9EZrBpv"
    "j+NrtQLKEF+XIsdmb4hRqgbKN3m2xOwdMQ5ySK2XF+EQSfPgPTn9mEdUOf2YLavId1GQIW"
    "ZzRJFljFKOHNlAx8g02LnAHlHbepDa+SJQR4g00LmApmg8Y95GlRfmEEnzQC5FWqHbaXKj"
    "lDvQ5FYM+foqbpP6eiQg3IbHYTrN4SpzWPvo7dNHTzsHaeegKrFhh85ByUVmB8B+E8/Qzb"
    "K2ei0xecGNrK0RcEUPwM33q6t1rlfhQ7BJqCV6lKK1P/dpv/xxi5wsPZoP+m1QT4MG9M8y"
    "PdQuLeROiZgj/FbqfVlqmF+yUHud75q9LG7QUPmNnmwdYDq2oPqFgWUV5gI8osWZ9BoDY5"
    "syDvwqwdzmE2BzIKpkbYCeEF0AMTwQBWLegQfERS3iPzLjJhFHuLi9tdzWBniALxwojowW"
    "eGVjhqQY8RqM0FgsI6r6KSVPol0KbM+dDlltwIh0oONz0atF0DLz3OtkcCLkojETyRYHok"
    "psiXfYAtjGYs4hDOZQdFA0EO7JJ+ANbzAVTXlLoSIiU+TppFWrWDQsffD8Er+wARY4yK7J"
    "LwUcPorqZc18Ip6J9nM68C1bkX+IGhPefNrjrZIeb/qst9ejdmTa5FUKRYi0FTuHXkguSA"
    "UA9os3ENrde2CMReOITqmdJqOscSuKkmmoc0C9t8DRioks+1mqEaUkRVrMdoBZEjzL76Vi"
    "2OvwxMqwoqa+2Vke+QkV2H4Cua4RY1AtMAnhOHjVXicSu6FCuSK6fIIjmVlGucwNh1IcG1"
    "MkxEf0g58BCLwXoD+3HZsAgSPzRVJRULrXSZESEynDjmcMWelxXWU1VNXoLnMCMUZOztKl"
    "xoKZZIYFilNIeTZF9Ps2UWh5upLytN6vDmW/0hFkTea6jiDbp6Qb2rq3iR8LkVdZsdC6u7"
    "47A8xlA3wtf7ny1/1vnf5d59u3MzCfQM7EQXOAu9edy6szgFxoO/Gj3X6iyXSInw7xq/i+"
    "E1MpH+fSKR+vUSon/O11lN/LYR2Th/KCHSPTaOdDe0SsFINJH/3IkCGD8i+Hb6tVErrrzq"
    "fdf/TXKziXx9Or3s3XoHhc6xmF2kWWDYuolZcEOpxy59pmHU6sw4kPefwrk5UA3SoSSxwl"
    "apCBcWdRrx5CIctA3tUlQdg85cHpu3c5FhlRKnOVUe8SOX4Nhh5cJJvMP5LjZHos6whuHc"
    "G99yVCR3DXL9ZVtKjcwgvqyGNkzQN799nWKDKR/YQsYz6xHWTYWN2/k7JEnxPiIIizAo0z"
    "a4kxYSSqKeuAvXzysmv1ea93FTlLn1/GJffv1+ddMQliK7m+XaAK1njtza4jF6vJBh25WA"
    "Fwnxe5WKavYRj+FH/DGHeyfQ6nsqCxGhV5AvC80ioKbYKW0WBLzz9TWU7aYERmDxMOCAUU"
    "PdiMy/Q6n8RvcZJgyJIBYtIxUKaGZ8DXzaUF4JXYmgzAO/fo+ITKH2A4HM0WHnAqG32oNi"
    "+8bzgMnixLvYJBJ2UP/R4NMHSk/8oCTARD27Iqr8ui70wcYkV999JK35lOwR3E1oj8ADJc"
    "D2XfCbjeDXKlTk71IyRzvBzJ6V6MLjPE32JcZJd5IlJc3FTKTdakXQ61y2G99t+aOp9pl8"
    "ND5HrFXQ73u9KWrESJn6Byq15jdGUZgfeHdS73kjXeJUnnkjG1xRHJWRjqQQGwE4QNcDcp"
    "25PWZsRQR9k0a3s21DGyxgGdx7Eh268h4dYgpYliMfwrisZhu/tB7BATOjYvNILDNI2DuB"
    "STja8nUSilAr3ZqztWxQvirthdEPzWVe+ic3UGFO0AX/fOL6+6Z8AlI9tBA9zvXV0ZX267"
    "4hEnjmPIQMm4amM/jt4JCb6AoSdBq807Bcw7Mf1KAdxjlBr1Aqi7W6PuatS3H+trnGE3bw"
    "X7cIxtrYzWRbaBzkX/8k+xynvUA3x5EzwJzOADfNu96nbuup/PltroamwFYY1w3qNRmKZ5"
    "HhalnI3El2eFI2YcPwOCBgJ8nEclIEplA3ycUArM0YiJlajgSI5SaahzQe0SzCfOwhijon"
    "6cMcpD9OY8br/V3pxV8uYMtuMtDCExUn0lQHUMH0l7V5BFd9vzaJj+BU+kXLkLFD2R9u8v"
    "ry57Yjwp6gG+7vY7Z8BFHA7w/bdvF72bm+5F/wzMp1PBcoxMXo3TaJCyYEtpLY1ci2wFRD"
    "ZPueOmxm/lmybRGl5wokj0DCWZFJ0st5c3X43e/U33Vghny1oG+Evv9r5zKyS2MaHSV2uA"
    "/+xdXvi5NNR3ynwaUrT7XU0miv63MhPJY4Pf8YJXc6XRNu8YsXu7pIeb2LPEbu9dK1AM8T"
    "Bl8/B+l0sUebdGFHmXFEU84NSkZUg0bxWJ1ksnfjn37dPjsoDfccieB9RyxdvKYBChfsE9"
    "OXB8qO2WrEMSdEhCldiww5CEbKf5kHMqdJxn3vRzIaqo3+6ZhXMs+YuK7H8mQKG8xA3EaB"
    "8XRtURJz6Rbq/PBKmvKmnQslbqlVqrIZUSvRMZb9mxOzRSLM/NWWI5BEuqT0AtzPLSKHln"
    "FQ9Cah4RmjIVykLJ3At68XN7D4feUm4Nh6lXZe24+gplB5efliygw1p0WEvNFruaBjjosJ"
    "ZD5HrFwloqx9WSI1usWdYFc5n7WJikQbkodqZP89OLF9FVhkleTptzUhNAddrNktNuqpyx"
    "xowWcmGLEDXQoHGSB2ZRKtugcZIAWmfH09nx6u1PFRKS80u+ISJtqygoAevcYdVAXxvqtK"
    "GuSmwoKXeY6VvTnglrTqNcXUENbWg6HduhpGO7Q9j6Sm3rDnGu7I0pVp1EmfY6447MBfYg"
    "ShssXDyHkWeZIS1oDzyiBXiFsEkXUzEiXgOILWBzBrpPCHNwj0YTQh7BE6L22DaV+sYjmc"
    "5Gjm2+TjP1lNPI5pxn2uCiDS712jZqqnrXBpdD5Hoegwuc2oZYuY3lWp9kfvZtX6nEjdDD"
    "ruNwGZd/IbmvGuH9VAJbhBfZNTRB0/XS/FA3YWY4SW+4PzPLObqeE+EF7hhUqBVPARcial"
    "xap1LuQtouFG8/EXja2z+J95ZKxAMRaBIqxCKqg83qxh5GfSL+V7qyca/sKism4FnaGB/L"
    "FB3MCuVszcuKoTnULRh0ZnxyDAh9gNj+P3WM+gR8qRYQrBxdxzZlHFAk+MVkqnnIgQkptR"
    "FTKpLhUFALaFK9aktoQKtZKrwqtbWa5YAEbq1mOUSu51GzeCt2EQFnRbEb6aZCWdt3nxe4"
    "qPSoBccigqNKfWjzhcHQ38UODHHKl3OLKDkkv1oCTZJVKWwqEPzX8WtR1r4abiS5wiRfLi"
    "C5lvC8dERyLUEK3/rxTKSKuXzUEq19BHDXEigdwb0RoiDTEpREz8LpT1nTV9os38Bi0e6h"
    "AJw0P6V0bAON6GaE01ylaml+3DBrVUT8TpHzguwbiFtRFbC3lqWpgJer3BoV8KpMnrQKBD"
    "+J3dxzalMJDcTGLJ9yQQjIk7y9VD7wAvmkzlb+Gb/Q1D8TpCZW2GkD8tbTDqDEcWbTNphT"
    "m4siwPY0yUyAJQCHmEnBQNQEGUDQnAD/dCdzOajbnVgbMAIcm6kMD/7+M8DqH9W8zO4wVX"
    "eiymeifsblv6JXD5TMph4VCupl8hZVr6vAhQswIY4FXNsRgxmzTO/Av2K5G2THEJ1CqlZm"
    "H49NGSIcyLjhd2NdmoiguvUkkQ5llNPqda1er9epoaaKVq1eP0Su51Gvx7aKvGrgGJl22M"
    "rnsBXaOpNIb84sHSKvMuKtu+u7M8BccQy6lr9c+ev+t07/rvPt2xkIUpQPsJ9Ieun3t/+k"
    "0ZGDStFTSAqxjiXdNpY05chYZE9KIW/gxlTfjSh5/giYpbaWJLszZ12CrjGmsp0lh5kpcb"
    "QwsnEyDWzqIqVA2nKFCtHqu3OqvDrtLbFE1bYcnVniQODXmSVePrPEntIg1BXd7DwIORLs"
    "l5kGIWZ9SrO+JOxTa6wwSfNYoQQIfsJpaKqT3BG4QyZFnAFIEWBcDC0LLONQ22AkClmAk5"
    "DRZG3mg93Urn3xK7wVtLWx4IDUxtpYcIhcz2Ms8Nd4o2Cu6RhZ47zyd59xWjBhIvbCR4S3"
    "TC+RQV9lq8FO1AplZDQIcnUUHfVRsibkkih92AeQqSPk8zKrpNXRBB7sJZ9Hlly6KcvEkq"
    "wJyJd9eapnyPDu4qRP0km34IqTWUFJ6Ddpxw27FrJtGbC2kuZNgd1zgc9t1zHk9eUFkU8Q"
    "arQ3o63T2rxgWpsn6NjbysxxWm0qrI6QnNSNzL0cr1J9PbYfZrTwDEuv4AUn2/JJbWdbEs"
    "Itpl1mJXr+VXn+VcdWfCDmAZ1ArFoW5d3ZMUMRnik2zGj8Z7b9MhRxms92eS8Td0Gg6gd3"
    "n/+QxkUh2wKl0QSOtC7KdF4jSuZCyAKmY8vc6hZpg0c05WBMqDIvqnaBv4onbZiltCKDyj"
    "yL6C8s+koRwFV18pJgCaiMEnMWqiqvCUFoW+Jfmy8+qcczUV48pOLIwAZ4jigKotR+v+97"
    "Wc4ge0TWskvqC47AcOiZ2NQXdtTH9eWb4dC/nVhdP+yCiahRRbGJv2T9XndNiIG8P8sSXz"
    "BRRlmvqaBvKjxNfYXU9Ygv87Q9YCbeOqtuAPRjaovVPedNxkHtiWA1bf7V5t962SlqagjU"
    "5t9D5Hoe8+9ybU7wPFsxF6ZphPUxFoF0epInBOn0JDsGSb6LueuzDE/jbJhDJI1E+WMulD"
    "+uQfljwthouXbKlc5rNTNLGq2MKaCM8U+AW+wWUcoG7hb13R2qrHfZ9+KlffSrwIayNCov"
    "5kXuXxZ3i0wkvr6VooGJlWiv08IE2mwaKrxRE/ONEjIGcOXtLaq1nxBdgDlkYEqJVCogy9"
    "dTKMar6+z4jGIm6ChaEggGEKklIL+SaVIZU1ZDUh/z3SuukvCo6s8AxMTTaCSasxnASGYS"
    "4lBqLzylTah2lU3IVql9cqo0ROefxDGY+uoNd0rEa3OhLhnSWo7KrKXtNVoOvbXtNfovPI"
    "PySkRhmiaKRDtPfRFfmgpgnULaQMh3n3xdK0+zoa+nGi1LefosE+nuTpQdRG1zknaS9N+s"
    "PUHCVZlNB8dsPu840O9QDkDPTFmRfbSRDqt+JtW8y32IpIHLfDkXQYhJVQBhv3gD0T05zu"
    "M3L0pln1yOk2nVCOYoTdnx+13vJtNVOyCJ7562ycF/VEbXGqK9BlwJRmSLTISHxCNBYnuf"
    "rOD8uf4+z93Mfv4/9UjSGw=="
)
