"""google-auth as the oracle of the Vertex AI service-account assertion (tests/vertex_credentials.rs).

Reads {"jwt", "public_key", "audience", "info"} on stdin: verifies our JWT with
`google.auth.jwt.decode` against the public key and the audience, and makes google-auth's own
assertion for the same service-account `info` (`_make_authorization_grant_assertion`, what
`Credentials.refresh` posts). Writes {"ours": {"header", "claims"}, "theirs": {"header",
"claims"}}, each as google-auth decodes it.
"""

import json
import sys

from google.auth import jwt
from google.oauth2 import service_account

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def main():
    case = json.load(sys.stdin)
    ours = jwt.decode(case["jwt"], certs=case["public_key"], audience=case["audience"])
    credentials = service_account.Credentials.from_service_account_info(
        case["info"], scopes=[CLOUD_PLATFORM]
    )
    theirs = credentials._make_authorization_grant_assertion()
    if isinstance(theirs, bytes):
        theirs = theirs.decode()
    out = {
        "ours": {"header": jwt.decode_header(case["jwt"]), "claims": ours},
        "theirs": {
            "header": jwt.decode_header(theirs),
            "claims": jwt.decode(theirs, certs=case["public_key"], audience=case["audience"]),
        },
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
