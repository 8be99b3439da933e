"""The `reasoning_details` pydantic-ai sends back for a history, for tests/pydantic_ai_interop.rs:
its OpenRouter model turns each thinking part from the provider back into a reasoning detail with
`pydantic_ai.models._reasoning_details.into_reasoning_detail` (what `OpenRouterModel` uses; the
model class itself needs the openai SDK, which the oracle environment does not have).

argv:   the provider name whose thinking parts go back as details (`openrouter`).
stdin:  a JSON list of messages (pydantic-ai's history format), as written by llm-runtime.
stdout: per response of the history, the list of details (`model_dump()` of each), as JSON.
"""

import json
import sys

from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelResponse, ThinkingPart
from pydantic_ai.models._reasoning_details import into_reasoning_detail


def main():
    provider = sys.argv[1]
    messages = ModelMessagesTypeAdapter.validate_json(sys.stdin.buffer.read())
    out = []
    for message in messages:
        if not isinstance(message, ModelResponse):
            continue
        details = []
        for part in message.parts:
            if isinstance(part, ThinkingPart) and part.provider_name == provider:
                detail = into_reasoning_detail(part)
                if detail is not None:
                    details.append(detail.model_dump())
        out.append(details)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
