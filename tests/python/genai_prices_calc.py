"""Prices usages with the Python genai-prices package, as pydantic-ai's `ModelResponse.cost()` does.

Reads a JSON array from stdin, each item {"usage": {...}, "model_name", "provider_name",
"provider_url", "timestamp"}; writes a JSON array of the same length: the total price as a float,
or null when genai-prices raises LookupError or ValueError (pydantic-ai's `best_effort_price`).
The usage object has the attributes pydantic-ai's `RequestUsage` has (its token counts, and
`requests` 1); genai-prices reads them by name.
"""

import json
import sys
from datetime import datetime
from types import SimpleNamespace

import genai_prices
from genai_prices import calc_price


def price(item):
    usage = SimpleNamespace(**item["usage"], requests=1)
    timestamp = datetime.fromisoformat(item["timestamp"].replace("Z", "+00:00"))
    url = item.get("provider_url")
    try:
        if url:
            try:
                return calc_price(usage, item["model_name"], provider_api_url=url,
                                  genai_request_timestamp=timestamp)
            except LookupError:
                pass
        return calc_price(usage, item["model_name"], provider_id=item.get("provider_name"),
                          genai_request_timestamp=timestamp)
    except (LookupError, ValueError):
        return None


def main():
    if sys.argv[1:] == ["--version"]:
        print(genai_prices.__version__)
        return
    items = json.load(sys.stdin)
    out = []
    for item in items:
        calculation = price(item)
        out.append(None if calculation is None else float(calculation.total_price))
    json.dump(out, sys.stdout)


main()
