"""Check that the running peers behave as the integration suites expect; one line per check.

usage: python3 scripts/realpeers/check.py     (after start.sh; standard library only)
Reads LLAMA_BASE_URL (http://127.0.0.1:8081/v1) and PRISM_BASE_URL (http://127.0.0.1:4010).
Exit status 1 when a check fails.
"""

import json
import os
import sys
import urllib.error
import urllib.request

LLAMA = os.environ.get("LLAMA_BASE_URL", "http://127.0.0.1:8081/v1")
PRISM = os.environ.get("PRISM_BASE_URL", "http://127.0.0.1:4010")
FEWSHOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fewshot_weather.json")
PARIS = [{"role": "user", "content": "What is the capital of France?"}]


def post(url, body, token="sk-local"):
    """(status, body bytes) of a JSON POST with Bearer auth."""
    request = urllib.request.Request(
        url,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def sse_events(raw):
    """The JSON payloads of an SSE body, up to `[DONE]`."""
    for line in raw.decode().splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            yield json.loads(line[len("data: ") :])


def llama_paris():
    body = {"model": "any", "messages": PARIS, "temperature": 0}
    status, raw = post(f"{LLAMA}/chat/completions", body)
    text = json.loads(raw)["choices"][0]["message"]["content"] if status == 200 else raw.decode()
    return "Paris" in text, f"llama.cpp answers {text!r}"


def llama_stream():
    body = {"model": "any", "messages": PARIS, "temperature": 0, "stream": True,
            "stream_options": {"include_usage": True}}
    status, raw = post(f"{LLAMA}/chat/completions", body)
    chunks = list(sse_events(raw)) if status == 200 else []
    text = "".join(c["delta"].get("content") or "" for e in chunks for c in e["choices"])
    usage = [e["usage"] for e in chunks if e.get("usage")]
    ok = "Paris" in text and len(chunks) > 2 and bool(usage)
    return ok, f"llama.cpp streams {len(chunks)} chunks: {text!r}, usage {usage[-1] if usage else None}"


def llama_tool_call(stream):
    with open(FEWSHOT, encoding="utf-8") as f:
        body = {"model": "any", "temperature": 0, "max_tokens": 60, "stream": stream, **json.load(f)}
    status, raw = post(f"{LLAMA}/chat/completions", body)
    calls, finish = {}, None
    if status == 200 and stream:
        for event in sse_events(raw):
            for choice in event["choices"]:
                finish = choice.get("finish_reason") or finish
                for delta in choice["delta"].get("tool_calls") or []:
                    call = calls.setdefault(delta["index"], {"name": "", "arguments": ""})
                    for key in ("name", "arguments"):
                        call[key] += (delta.get("function") or {}).get(key) or ""
    elif status == 200:
        choice = json.loads(raw)["choices"][0]
        finish = choice["finish_reason"]
        calls = {i: c["function"] for i, c in enumerate(choice["message"].get("tool_calls") or [])}
    found = [(c["name"], c["arguments"]) for c in calls.values()]
    ok = finish == "tool_calls" and any(
        name == "get_weather" and json.loads(args or "null") == {"city": "Paris"} for name, args in found
    )
    return ok, f"llama.cpp {'streamed ' if stream else ''}tool call {found}, finish {finish}"


def prism_valid():
    body = {"model": "gpt-4.1-nano", "messages": PARIS, "temperature": 0}
    status, _ = post(f"{PRISM}/chat/completions", body)
    return status == 200, f"prism: a valid chat request gets {status}"


def prism_invalid():
    body = {"model": "gpt-4.1-nano", "messages": PARIS, "temperature": "0"}
    status, raw = post(f"{PRISM}/chat/completions", body)
    problems = [v["message"] for v in json.loads(raw).get("validation", [])] if status == 422 else []
    ok = status == 422 and any("temperature must be number" in p for p in problems)
    return ok, f"prism: an invalid one gets {status}: {problems[:1]}"


def main():
    failed = 0
    checks = [llama_paris, llama_stream, lambda: llama_tool_call(False),
              lambda: llama_tool_call(True), prism_valid, prism_invalid]
    for check in checks:
        try:
            ok, line = check()
        except Exception as error:  # a peer that is down or answers garbage
            ok, line = False, f"{type(error).__name__}: {error}"
        failed += not ok
        print(f"realpeers check: {'ok' if ok else 'FAILED'}: {line}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
