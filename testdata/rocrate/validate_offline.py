"""Runs rocrate-validator (PyPI: roc-validator) without network access.

The validator fetches the RO-Crate JSON-LD context from w3id.org (to expand the crate
with rdflib and to check its compaction). This wrapper answers those requests from the
copies beside this script (`context-1.1.jsonld`, `context-1.2.jsonld`, from
ResearchObject/ro-crate, CC0) and then runs the validator's own command line unchanged:
`python3 validate_offline.py validate -p PROFILE CRATE_DIR`. Any other URL fails as it
would offline.
"""

import pathlib
import sys

import requests
from requests.adapters import HTTPAdapter

HERE = pathlib.Path(__file__).resolve().parent
LOCAL = {
    "https://w3id.org/ro/crate/1.1/context": HERE / "context-1.1.jsonld",
    "https://w3id.org/ro/crate/1.2/context": HERE / "context-1.2.jsonld",
}
_send = HTTPAdapter.send


def _local_send(self, request, *args, **kwargs):
    key = request.url.rstrip("/")
    if key in LOCAL:
        response = requests.Response()
        response.status_code = 200
        response._content = LOCAL[key].read_bytes()
        response.headers["Content-Type"] = "application/ld+json"
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response
    return _send(self, request, *args, **kwargs)


HTTPAdapter.send = _local_send

from rocrate_validator.cli import cli  # noqa: E402

sys.exit(cli())
