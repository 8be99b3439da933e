"""Load a message history with pydantic-ai and dump it back, for tests/pydantic_ai_interop.rs.

stdin:  a JSON list of messages (pydantic-ai's history format), as written by llm-runtime.
stdout: line 1, a JSON summary: {"pydantic_ai": version, "classes": [...]} where classes gives,
        per message, its class and the class of each part with the type of its content, so
        that the caller checks what pydantic-ai made of each part, not only the bytes;
        line 2, ModelMessagesTypeAdapter.dump_json() of what was loaded, byte for byte.
Exit status 1 with pydantic's error on stderr when the history does not load.
"""

import json
import sys

import pydantic_ai
from pydantic_ai.messages import ModelMessagesTypeAdapter


def describe(message):
    """The classes pydantic-ai loaded: the message's, and per part its class and the type of
    its content (of its args for a tool call; of each item for a list)."""
    parts = []
    for part in message.parts:
        value = part.args if hasattr(part, "args") else getattr(part, "content", None)
        if isinstance(value, list):
            detail = [type(item).__name__ for item in value]
        else:
            detail = type(value).__name__
        parts.append([type(part).__name__, detail])
    described = {"message": type(message).__name__, "parts": parts}
    if hasattr(message, "usage"):
        described["usage"] = type(message.usage).__name__
    return described


def main():
    raw = sys.stdin.buffer.read()
    messages = ModelMessagesTypeAdapter.validate_json(raw)
    summary = {
        "pydantic_ai": pydantic_ai.__version__,
        "classes": [describe(message) for message in messages],
    }
    out = sys.stdout.buffer
    out.write(json.dumps(summary).encode() + b"\n")
    out.write(ModelMessagesTypeAdapter.dump_json(messages) + b"\n")


if __name__ == "__main__":
    main()
