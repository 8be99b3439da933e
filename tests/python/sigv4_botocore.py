"""Signs requests with botocore's SigV4Auth, the oracle of tests/bedrock_sigv4.rs.

Reads a JSON list of cases on stdin; writes, for each, the request's headers after
`SigV4Auth.add_auth` as a JSON object {lower-cased name: value}. The time is fixed per case by
replacing botocore's clock. The query string is given to botocore as its parameter list, as
botocore's own serializers do, decoded with `urllib.parse.unquote`.
"""

import datetime
import json
import sys
from urllib.parse import unquote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    now = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *args, **kwargs: now
    params = None
    if case["query"]:
        params = []
        for pair in case["query"].split("&"):
            key, _, value = pair.partition("=")
            params.append((unquote(key), unquote(value)))
    request = AWSRequest(
        method=case["method"],
        url=case["url"],
        headers=case["headers"],
        data=bytes.fromhex(case["body"]),
        params=params,
    )
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"])
    botocore.auth.SigV4Auth(credentials, case["service"], case["region"]).add_auth(request)
    return {name.lower(): value for name, value in request.headers.items()}


json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
