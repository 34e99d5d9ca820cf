"""Retention: the indexes its batched deletes walk, and a tenant's own activity retention.

- ``webhook_receipt`` and ``idempotent_request``: an index on ``created_at``, so pruning the
  receipts and keys no provider or client can retry any more reads only the rows it deletes.
- ``activity_event``: an index on ``(tenant_id, created_at)``, for each tenant's cut-off.
- ``tenant``: ``activity_retention_days`` (null: the gateway's default), set by support.

Aerich wrote the PostgreSQL statements (``aerich migrate``); SQLite takes the same statements
(it adds a nullable column with ALTER TABLE, and drops one since 3.35).
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

_UPGRADE = """
        ALTER TABLE "tenant" ADD "activity_retention_days" INT;
        CREATE INDEX IF NOT EXISTS "idx_activity_ev_tenant__4fe909" ON "activity_event" ("tenant_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_idempotent__created_c12000" ON "idempotent_request" ("created_at");
        CREATE INDEX IF NOT EXISTS "idx_webhook_rec_created_ccae20" ON "webhook_receipt" ("created_at");"""

_DOWNGRADE = """
        DROP INDEX IF EXISTS "idx_idempotent__created_c12000";
        DROP INDEX IF EXISTS "idx_webhook_rec_created_ccae20";
        DROP INDEX IF EXISTS "idx_activity_ev_tenant__4fe909";
        ALTER TABLE "tenant" DROP COLUMN "activity_retention_days";"""

UPGRADE = {"postgres": _UPGRADE, "sqlite": _UPGRADE}

DOWNGRADE = {"postgres": _DOWNGRADE, "sqlite": _DOWNGRADE}


async def upgrade(db: BaseDBAsyncClient) -> str:
    return UPGRADE[db.capabilities.dialect]


async def downgrade(db: BaseDBAsyncClient) -> str:
    return DOWNGRADE[db.capabilities.dialect]


MODELS_STATE = (
    "eJztXWtz4ria/isqvkx3FZNK0tdNb20VSdM9mUlCV0JPTp3hlBG2CN7YEiOJ0Ow5/d9Xki"
    "/4SmyCwRh9mGki65Xk55UlvVf9u+USCznsqGNy+8nmi+4Twrx1Bv7dwtBF4kd2hTZowel0"
    "+VgWcDhyFAX0qxoorDtinIpi8XQMHYZEkYWYSe0ptwmWND2MAJ/Y+EH8H3IwEa0jjCzACY"
    "CAIwwxbwPxIPjjV2aSqXjuEkw4wbYJhkOG/h4OwSs+QcCcUUbo6yPZuUVM0btouuJ+Ztj+"
    "e4YMTh6QeERFb3/91fJaMWxL1hCErX/9S/ywsYV+IJZRBc/cEaLR+m2QqGJSBDmyDMi9xq"
    "aPxthGjhXjmldVlRt8MVVl5/bDJeZfVF2Jy8gwiTNz8bL+dMEnBIcEtse9B4EQlV2KMk5n"
    "SA3TcXx2Bwz1Xn9ZxXvHCI2FxnDmyDkgqb0BLMtahnHT6xt33b5htFLzI6CIsNIvMgmWc0"
    "sMlSkAHuQQfv2v09M3bz6cHr95//Hd2w8f3n08/ijqqvGmH3346Q1miZbXlMLs8uvlTV8O"
    "iIgJ7M1vWfBT0UAOPSrFyiX6knGl4PcJnsc/QHsVA4KCJQeWH13DWLCE/FG8bRrziwmk2Y"
    "gH9ROQixfZR8hd+MNwEH7gE/Hnm9MVaP7Zub34rXP76s3p6zikN/6TU/UoDq5YxuV6rkAq"
    "gXGCTENdHOqy63eMTC8jay8jsf23OPwxsrXg9zfJw0Z/ChcOgRnY/37Xu8lGPkKSwN2yTQ"
    "7+AxybVTb9W/89nmFTYgtGM9vhNmZHstv/aVXElhUIS4hkyy5jfzvRVebVdecfyQXo4qp3"
    "riAjjD9Q1Ypq4DzBkMhZM8WTz+IJt12UzZc4ZZI1PulR8GMf1yfxglYPOwv/413Bmv7ldf"
    "eu37n+FuPP506/K5+cqtJFovTV+wTPwkbA/WX/NyD/BP/s3XSTbAzr9f/ZkmOCM04MTOYG"
    "tCKH8aA0QC3G9Zi4UXwRjJHpPajUKigFufFjpjDhwZpmxRdCkf2A/0ALxY5LMXKIzayTli"
    "/C98OG9owNP4OZFpQu5zGF81D6jU9A8f7irRH3zqidu4vO525L4TyC5uMcUsuIAS6fkFOS"
    "KAnrph+5p26yBGL4oOCR7yFH7SN/AR2nlaFUUeXtVboUM6hRSIMiax+BOw75jKk/5PAZcO"
    "ECQErtJwTIjAMyBoRaiH4Cw6EDGTeE9DlDYuoMh94DBvgEudnKk813UUBvIv55Rm8S325k"
    "/ZTeJHZGK1CfqXcsWNmyKVIHgYL1Z2zFULRWp5ZaHX0YOsTD0Gxqrcn1OKXmel24HmAUYb"
    "s/+ogGN2upzdd0scyVtpiGq26Sf1zB9baIguttvoLrbVLBFdsp0/h2xTadOs/GsI41UGed"
    "othSznvfbz6fARuPyAxbA9z73veLxClJlSUPWUWYcvK+AFNOkl/PkinyUZwpY0pc+XWID4"
    "iVmfdJujqzY80v4H2RL+B9/hfwPvUFiFVnDajjVBroAkAvT/CF1/GQooEAb95Y4cFlTGzG"
    "CV2UUdumKeuhvZX9NUZ7G5O809zJFRtTdA2yaJyevP3w9uOb929D0TEsWSUxpm0V1ky8e+"
    "YxJhfXKImGNMP8Q+2sefoZmbYLnRz7T0CTXD88oiOfeP/AXYHc5+7F5XXn6tXJafudWhvE"
    "mmF7is5g1Xh7nFyrFVCGeLsMOTZ/Q4xTNVC+KbIl5u+ISZAjar2iCEdImgfvyenHIqLK6c"
    "d8WUU+i4MMMZsjiixjlHHkyAc6QabBLgT2iNrWg9TOl4E6RqSBLgQ0ReMZ8zaqojBHSJoH"
    "ciXSCl1Pkxun3IAmt2bI76/iNq2vRwLCdXgcpdMcrjOHtY/eLn30tHOQdg6qExs26ByUXm"
    "Q2AOw3UYZuwtb2a4kpCm5sbY2BK0YAbr5fXa1yvYoegk1CLTGiDK39uU/75Y9b5OTp0XzQ"
    "b4N2GjShf1bpoXZpIXdKxDfCb6Xel2XGAKYrtVf5rtlhdYNG6j/rydYBpmMLql8YCJswF+"
    "ARLc6k1xgY25Rx4DcJ5jafAJsD0SRrA/SE6AKI6YEoEN8deEBctCL+IzNuEnGES9pbq+1t"
    "gAf4woHiyGiBVzZmSIoRr8EIjcUyopqfUvIk+qXA9tzpkNUGjEgHOj4Xo1oEPTPPvU5GLk"
    "IuOjOR7HEgmsSWeIYtgG0svjmEwRyKAYoOoiP5BLzpDaaiK28pVERkijydtOoVi46lD55f"
    "4xc2wAIHOTT5poDDR9G8bJlPRJnov6ADX9iL/EO0mOHNp6Maa3HUaIN8/zd98tvpwTv2ER"
    "VVEcWItE27gJZILk8lAParNxDazftjjEXniE6pnSWxrHAyipNpqAtAvbMw0poJMLtZqhGl"
    "JEN2zHeHCQle5AVTM+x1sGJtWLGnntp5/vkphdhuwrquEWNQLTApUTl41F4lILuRSoXiu3"
    "yCI5mERjnQDYdSOBtTJIRJ9IOfAQi8B6A/tx2bAIEj8wVUUVE620kBExMp0Y5nDFnZUV5V"
    "dVTXWC9zAjFGTsHalUaGmWSGBYpTSHk+Rfz9nqPQ8nQt5Wm9Xx3KfqXjyZrMdR1PtktJN7"
    "J1rxNNFiGvs2KhdXd9dwaYywb4Wv5y5a/73zr9u863b2dgPoGciYPmAHevO5dXZwC50HaS"
    "R7vdxJbpgD8d8FfzfSehUj4upFM+XqFUTnnf65i/7WGdkIeKgp0g02gXQ3tErAyDSR/9yJ"
    "Ehg/rbw7fVqgjdVefT7j/6qxWc4fH0qnfzNaie1HrGoXaRZcMyauWQQAdXblzbrIOLdXDx"
    "Ic9/ZbISoFtlIovjRA0yMG4sBtZDKGIZKLq6pAibpzw4ffeuwCIjauWuMupZKuOvwdCDi2"
    "SXxWdykkzPZR3PreO5d75E6Hju/Yt8FT0qJ/GSOvIEWfPA3nzuNYpMZD8hy5hPbAcZNlZX"
    "9WQs0eeEOAjivLDj3FYSTBiJZqo6YIcl212rz3u9q9hZ+vwyKbl/vz7vio8gsZLruwbqYI"
    "3X3uw6jrGebNBxjDUA92VxjFX6Gkbhz/A3THAn3+dwKisay1lRJBzPq61i0iYojA0LPf9M"
    "ZTlpgxGZPUw4IBRQ9GAzLpPtfBK/xUmCIUuGi0nHQJkongFfN5cVjldhbzIc79yj4xMqf4"
    "DhcDRbeMCp3PSR1rxgv+EwKAlrvYLBIOUI/RENMHSk/8oCTARD27Ipb8hi7EwcYkV799JK"
    "35lOwR3E1oj8ADJ4D+VfH7jaDXKpTs70IyRzHM7kbC9GlxnibzEv8us8ESkuPlfLTbekXQ"
    "61y+F+7b976nymXQ4Pkes1dznc7UpbsRIleYIqrHpN0FVlBN4d1oXcS1Z4l6SdS8bUFkck"
    "Z2GoghJgpwgb4G5StSetzYihjrJZ1vZ8qBNkjQO6iGNDvl9Dyq1BShPlYviXFI3DdvOT2C"
    "EmdGxeagZHaRoHcSUmG19PolDKBPp5r+5EE1vEXbG7JPitq95F5+oMKNoBvu6dX151z4BL"
    "RraDBrjfu7oyvtx2RREnjmPIQMmkamM3jt4pCb6EoSdFq807Jcw7Cf1KCdwTlBr1Eqi7a6"
    "PuatTXn+srnGGf3wp24RjbWhqty2wDnYv+5Z9ilfeoB/jyJigJzOADfNu96nbuup/PQm10"
    "PbaCqEa46NEoStM8D4tKzkbizfPCEXOOnwFBAwE+LqISELXyAT5OKQXmaMTESlRyJsepNN"
    "SFoHYJ5hNnYYxRWT/OBOUhenMet99qb846eXMG2/EahpAEqb4goD6Gj7S9K8ipu+55NEq/"
    "xRMpV+4CZU+k/fvLq8uemE+KeoCvu/3OGXARhwN8/+3bRe/mpnvRPwPz6VSwHCOT1+M0Gq"
    "QsWFNayyLXIlsJkc1T7riZ8VvFPpN4C1v8UCR6hpJMyn4st5c3X43e/U33VghnYSsD/KV3"
    "e9+5FRLbmFDpqzXAf/YuL/xcGuo9ZT4NKdr9rj4miv63Nh+SxwZ/4CUv6sqibd4xYvN2SQ"
    "83sWeJ3d67ZKAc4lHK5uH9rpAo8m6FKPIuLYp4wKmPliHRvVUmWi+beHvu26fHVQG/4ZA9"
    "D6hwxVvLYBCj3uKeHDg+7O2WrEMSdEhCndiwwZCEfKf5iHMqdJwX3vtzIZrYv90zD+dE8h"
    "cV2f9CgCJ5iRuI0S6uj9pHnPhEur2+EKS+aqRBy1qlF2wtp1RG9E5svuXH7tBYtSL3aInl"
    "EIRUn4BamOUVUvIGKx6E1DwiNGUqlIWSuRf04uf2Hg69pdwaDjMvztpw8zXKDi5fLV1Bh7"
    "XosJY9W+z2NMBBh7UcItdrFtZSO65WHNlizfIumMvdx6IkDcpFsTF9mp9evIyuMkqyPW3O"
    "yZ4AqtNuVpx2U+WMNWa0lAtbjKiBBo2TIjCLWvkGjZMU0Do7ns6Ot9/+VBEhubjkGyHSto"
    "qSErDOHVYP9LWhThvq6sSGinKHmb417YWwFjTK7SuokQ1Np2M7lHRsdwhbX6lt3SHOlb0x"
    "w6qTqtNeZdyRucAeRG2DRasXMPKEGdKC/sAjWoBXCJt0MRUz4jWA2AI2Z6D7hDAH92g0Ie"
    "QRPCFqj21TqW88kuls5Njm6yxTTzWdPJ/zTBtctMFlv7aNPVW9a4PLIXK9iMEFTm1DrNxG"
    "uNanmZ9/21cmcSP0sKs4XMXlX0juq0Z0P5XAluFFfgtN0HRtmx/qJswcJ+ln7s/Mc47ezw"
    "9hC3cMKtTKp4CLEDUurVMldyGtF4q3mwg87e2fxntNJeKBCDQpFWIZ1cHz6sYeRn0i/le5"
    "snGn7KoqJuBF2hgfywwdzBLlfM3LkqEF1C0YdGZ8cgwIfYDY/j91jPoEfKkWEKwcXcc2ZR"
    "xQJPjFZKp5yIEJKbURUyqS4VBQC2gyvWor6ECrWWq8KrW1muWABG6tZjlErhdRs3grdhkB"
    "Z0mxGemmRlnbN58XuKz0qAXHMoKjSn1o84XB0N/lDgxJyu25RVQckr9ll5QQR4rkrZhSuW"
    "fBRRm/4xUtNMhT6EWOyCUkyDRnMr6LEtGWHb8VZV7dw527UFzq9iLA9xKebYeA7yVI0WtW"
    "XohUOR+bvURrFxHzewmUDpl/FqIgtRWURC/C6U/Z0lfaLGfMcukFIhFPWY5h2dgGKujnEc"
    "7yTduv81yxr1alINgocl5WgwbiVlbn7q1lWTr3cJVboXNf1imSx4LgJ7Gbe16EKoOE2Jhl"
    "KReEgDzJ62JlgRc5KZXk8s/kDbL+mSAzk8VGO5DXzHYAJY4zm7bBnNpcVAG2p7pnAiwBOM"
    "RMCgaiJcgAguYE+Kc7mTxDXafF2oAR4NhMpdTw958BVv+o7mU6jam6hFaWifYZl/+KUT1Q"
    "Mpt6VChol8lra72hAhcuwIQ4FnBtR0xmzHLdMf9KJMuQA0N0CqlamX08nkvJ4UDGDX8Yq/"
    "JyBM2tJokNKKeetmdoe8Z+nRr2VLOt7RmHyPUi9ozEVlFU754g0x5yxTzkIltnGunnU3lH"
    "yOuMeOvu+u4MMFccg67lL1f+uv+t07/rfPt2BoKc8APsZ+4OHS13n6U7dlApewrJIG6QSn"
    "7LlpKMI2OZPSmDvIEb0/5uROnzR8AstbWUMIil6Bpjm9xYNp6ZEkdLI5sk08BmLlIKpDVX"
    "qAitvqyozqvTzjJ51G3L0ak8DgR+ncpj+6k8dpR3Yl/RzU88UeBGgyrzTiSsT1nWl5R9ao"
    "UVJm0eK5Vxws/wDU11kjsCd8ikiDMAKQKMi6llgTDwtw1GopIFOIkYTVammthM6zr4ocZb"
    "QVsbCw5IbayNBYfI9SLGAn+NN0om906QNS4MYvMpvgUTJmIvfER4zXweOfR1thpsRK1QRQ"
    "qJIDlK2VkfJ2tC8o7Kp30AmTpCviyVTVYbTeDBThKo5Mmlz6X1CMmagHzVt9V6hgzv8lP6"
    "JJ10S644uQ1UhH6TdtyoayFblwErG2neJ7B5LvC57TqGvC++JPIpQo3282jrPEJbzCP0BB"
    "17XZk5SatNhfURktO6kbmXVFeqr8f2w4yW/sKyG9jixxaW7O3XloZwjc8utxH9/dX5+6uP"
    "rfhAzAM6Y1u9LMqbs2NGIjwzbJjx+M98+2Uk4rSY7fJeZkqDQLUP7j7/IY2LQrYFSqMJHG"
    "ldlPnTRpTMhZAFTMeWyewt0gaPaMrBmFBlXlT9An8VT9swK+lFBpV5FtFfWPyRIoDL5uSt"
    "zBJQGSXmLFRTXheC0LZkag+++KSKZ6K+KKTiyMAGeI4oCqLUfr/ve2nlIHtEVjgk9QZHYD"
    "j0TGzqDTvq5fryyXDoXwet7nt2wUS0qKLYxF+yfW+4JsRAXlhmiTeYKKOs11UwNhWept5C"
    "6nrEm3naHjATT53lMAD6MbXF6l7w6uig9VSwmjb/avPvftkp9tQQqM2/h8j1IubfcG1O8T"
    "xfMRelaYT1MRGBdHpSJATp9CQ/Bkk+S7jrsxxP43yYIySNRPljIZQ/rkD5Y8rYaLl2xh3a"
    "KzUzIY1WxpRQxvgnwDV2izhlA3eL/d0d6qx32fXipX3068CGqjQqW/Mi92/nu0UmEm/fyt"
    "DAJGq0V2lhAm02jVR+VhPzjRIyBnDp7S2atZ8QXYA5ZGBKiVQqIMvXUyjGq/sD+YxiJugo"
    "CgkEA4jUEpBfyTStjKmqI6mP+e5VV0l4VPNnAGLiaTRS3dkMYCQzCXEotRee0ibSusomZK"
    "vUPgVVGmLwT+IYTH31hjsl4rG5ULc6pVPyRMRinR+nnjoPvdHtNBYw+j0VlY+iNE0UkDae"
    "CCO5UJXAOoO0gZBvPve9VqXmQ7+fSrU8VeqLDKabO192ELXNSda50n+y8jwJl3WeO0bm83"
    "nDYX+HcgB6YQKL/KONdF/186oWXe4jJA1c5qu5h0N8VCUQ9qs3EN2T4yJe9KJW/snlOJ1k"
    "jWCOslQfv9/1bnIdtwOS5O5pmxz8R+V33UO0V4ArwYhtkalgkWRcSGLvkw2cv9T756Wb2c"
    "//BzTRXSs="
)
