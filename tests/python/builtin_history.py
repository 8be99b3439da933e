"""Write, with pydantic-ai's own classes, a history holding every part of built-in tools, for
tests/pydantic_ai_interop.rs (the direction "pydantic-ai writes, llm-runtime loads").

stdout: ModelMessagesTypeAdapter.dump_json() of the history.
"""

import sys
from datetime import datetime, timezone

from pydantic_ai import messages as m

# 2.x names, with the V1 names as fallback.
Call = getattr(m, "NativeToolCallPart", None) or m.BuiltinToolCallPart
Return = getattr(m, "NativeToolReturnPart", None) or m.BuiltinToolReturnPart

AT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


def main():
    request = m.ModelRequest(parts=[m.UserPromptPart("Draw the weather in Paris", timestamp=AT)], timestamp=AT)
    response = m.ModelResponse(
        parts=[
            Call(tool_name="web_search", args='{"query": "Paris"}', tool_call_id="ws_1", id="ws_1",
                 provider_name="openai", provider_details={"status": "completed"}),
            Return(tool_name="web_search", content={"status": "completed", "sources": [{"url": "https://a.example"}]},
                   tool_call_id="ws_1", timestamp=AT, provider_name="openai"),
            Call(tool_name="mcp_server:deepwiki", args={"action": "list_tools"}, tool_call_id="mcpl_1",
                 provider_name="openai"),
            Return(tool_name="mcp_server:deepwiki", content={"tools": [{"name": "ask_question"}], "error": None},
                   tool_call_id="mcpl_1", timestamp=AT, outcome="failed", provider_name="openai"),
            m.FilePart(content=m.BinaryContent(data=b"\x89PNG\r\n\x1a\n\xfb\xff", media_type="image/png"),
                       id="ig_1", provider_name="openai"),
            m.CompactionPart(content=None, id="cmp_1", provider_name="openai",
                             provider_details={"encrypted_content": "gAAAA"}),
            m.TextPart("Here it is."),
        ],
        model_name="gpt-5",
        timestamp=AT,
        provider_name="openai",
    )
    sys.stdout.buffer.write(m.ModelMessagesTypeAdapter.dump_json([request, response]) + b"\n")


if __name__ == "__main__":
    main()
