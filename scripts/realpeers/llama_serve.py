"""Serve a GGUF model with llama.cpp's own HTTP server, as compiled into the xllamacpp wheel.

usage: python llama_serve.py MODEL.gguf PORT [CHAT_TEMPLATE.jinja]

Listens on 127.0.0.1 only. Endpoints: /health, /v1/models, /v1/chat/completions (also
streamed, with tools), /v1/responses, /v1/messages, /v1/completions. Tuning through the
environment: LLAMA_MODEL_ALIAS (SmolLM2-135M-Instruct), LLAMA_CTX (4096), LLAMA_PARALLEL
(1 slot: greedy output repeats exactly), LLAMA_THREADS (2), LLAMA_VERBOSITY (3),
LLAMA_N_PREDICT (256: the most tokens one answer may have when the request sets no
max_tokens; -1 for none. Unbounded, the tiny model can ramble until the context is full,
minutes on 2 busy cores, holding the one slot), LLAMA_TEMP (0: a request without a
temperature is greedy too, so every answer repeats; llama.cpp's own default is 0.8).
Ends on SIGTERM or SIGINT.
"""

import os
import signal
import sys
import threading

import xllamacpp


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    params = xllamacpp.CommonParams()
    params.model.path = sys.argv[1]
    params.port = int(sys.argv[2])
    params.hostnames = ["127.0.0.1"]
    params.offline = True  # never reach for a model hub
    # The name the server reports as `model` (else the GGUF's path). Requests may name any model.
    params.model_alias = {os.environ.get("LLAMA_MODEL_ALIAS", "SmolLM2-135M-Instruct")}
    params.use_jinja = True  # needed for tools and tool_choice
    if len(sys.argv) == 4:
        with open(sys.argv[3], encoding="utf-8") as f:
            params.chat_template = f.read()
    params.n_ctx = int(os.environ.get("LLAMA_CTX", "4096"))
    params.n_parallel = int(os.environ.get("LLAMA_PARALLEL", "1"))
    threads = int(os.environ.get("LLAMA_THREADS", "2"))
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_predict = int(os.environ.get("LLAMA_N_PREDICT", "256"))
    params.sampling.seed = 42
    params.sampling.temp = float(os.environ.get("LLAMA_TEMP", "0"))
    params.verbosity = int(os.environ.get("LLAMA_VERBOSITY", "3"))

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = xllamacpp.Server(params)  # runs the HTTP server on its own threads
    print("llama.cpp server listening on", server.listening_address, flush=True)
    while not stop.wait(3600):
        pass


if __name__ == "__main__":
    main()
