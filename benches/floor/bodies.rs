//! The bodies the server answers with, as each API sends them: a non-streamed Chat
//! completion, and for each protocol a stream of [`CHUNKS`] text deltas (the same text), with
//! the events each protocol sends around them. [`expected_text`] is what every client must
//! end with.

use llm_runtime::http::eventstream::{encode_message, HeaderValue};

/// Text deltas in each stream.
pub const CHUNKS: usize = 2000;

/// The `i`-th delta of every stream.
fn delta(i: usize) -> String {
    format!(" word{i} \\u00e9")
}

/// The text every stream's client must end with.
pub fn expected_text() -> String {
    (0..CHUNKS).map(|i| format!(" word{i} é")).collect()
}

/// The text of the non-streamed answer.
pub const ANSWER: &str = "The capital of France is Paris.";

/// A Chat completion as OpenAI answers a short question.
pub fn chat_completion() -> String {
    format!(
        "{{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\",\
         \"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{{\"index\":0,\
         \"message\":{{\"role\":\"assistant\",\"content\":\"{ANSWER}\",\"refusal\":null,\
         \"annotations\":[]}},\"logprobs\":null,\"finish_reason\":\"stop\"}}],\"usage\":\
         {{\"prompt_tokens\":14,\"completion_tokens\":8,\"total_tokens\":22,\
         \"prompt_tokens_details\":{{\"cached_tokens\":0,\"audio_tokens\":0}},\
         \"completion_tokens_details\":{{\"reasoning_tokens\":0,\"audio_tokens\":0,\
         \"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}},\
         \"service_tier\":\"default\",\"system_fingerprint\":\"fp_f9f4fb6dbf\"}}"
    )
}

/// One Chat Completions chunk carrying `content` (already JSON-escaped).
pub fn chat_chunk(content: &str) -> String {
    format!(
        "data: {{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\
         \"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\",\
         \"system_fingerprint\":\"fp_eb9dce56a8\",\"choices\":[{{\"index\":0,\"delta\":\
         {{\"content\":\"{content}\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n"
    )
}

/// The end of a Chat stream: the finish reason, the usage, `[DONE]`.
pub fn chat_end() -> &'static str {
    "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\
     \"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\
     \"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\
     \"completion_tokens\":4000,\"total_tokens\":4012}}\n\ndata: [DONE]\n\n"
}

/// OpenAI Chat Completions.
pub fn chat_stream() -> Vec<u8> {
    let mut body: String = (0..CHUNKS).map(|i| chat_chunk(&delta(i))).collect();
    body.push_str(chat_end());
    body.into_bytes()
}

/// A Chat stream of one delta of `bytes` bytes (one SSE line that long).
pub fn chat_big_line(bytes: usize) -> Vec<u8> {
    let mut body = chat_chunk(&"x".repeat(bytes));
    body.push_str(chat_end());
    body.into_bytes()
}

/// The text of [`chat_big_line`].
pub fn big_line_text(bytes: usize) -> String {
    "x".repeat(bytes)
}

/// OpenAI Responses: named, numbered events; `response.completed` repeats the whole response.
pub fn responses_stream() -> Vec<u8> {
    let text = expected_text().replace('é', "\\u00e9");
    let response = |status: &str, output: &str, usage: &str| {
        format!(
            "{{\"id\":\"resp_67ccd2bed1ec8190\",\"object\":\"response\",\"created_at\":1741476542,\
             \"status\":\"{status}\",\"model\":\"gpt-4o-2024-08-06\",\"output\":[{output}],\
             \"usage\":{usage}}}"
        )
    };
    let message = format!(
        "{{\"type\":\"message\",\"id\":\"msg_67ccd2bf17f0\",\"status\":\"completed\",\
         \"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"text\":\"{text}\",\
         \"annotations\":[]}}]}}"
    );
    let usage = "{\"input_tokens\":12,\"output_tokens\":4000,\"total_tokens\":4012,\
                 \"input_tokens_details\":{\"cached_tokens\":0},\
                 \"output_tokens_details\":{\"reasoning_tokens\":0}}";
    let mut events = vec![
        (
            "response.created",
            format!("\"response\":{}", response("in_progress", "", "null")),
        ),
        (
            "response.output_item.added",
            "\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_67ccd2bf17f0\",\
             \"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}"
                .to_owned(),
        ),
        (
            "response.content_part.added",
            "\"item_id\":\"msg_67ccd2bf17f0\",\"output_index\":0,\"content_index\":0,\
             \"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}"
                .to_owned(),
        ),
    ];
    for i in 0..CHUNKS {
        events.push((
            "response.output_text.delta",
            format!(
                "\"item_id\":\"msg_67ccd2bf17f0\",\"output_index\":0,\"content_index\":0,\
                 \"delta\":\"{}\"",
                delta(i)
            ),
        ));
    }
    events.push((
        "response.output_text.done",
        format!(
            "\"item_id\":\"msg_67ccd2bf17f0\",\"output_index\":0,\"content_index\":0,\
             \"text\":\"{text}\""
        ),
    ));
    events.push((
        "response.output_item.done",
        format!("\"output_index\":0,\"item\":{message}"),
    ));
    events.push((
        "response.completed",
        format!("\"response\":{}", response("completed", &message, usage)),
    ));
    events
        .into_iter()
        .enumerate()
        .map(|(n, (name, fields))| {
            format!(
                "event: {name}\ndata: {{\"type\":\"{name}\",\"sequence_number\":{n},{fields}}}\n\n"
            )
        })
        .collect::<String>()
        .into_bytes()
}

/// Anthropic Messages: `content_block_delta` events between the message's and the block's
/// start and stop events.
pub fn anthropic_stream() -> Vec<u8> {
    let mut body = String::from(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\
         \"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\
         \"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n\
         event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\
         \"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    );
    for i in 0..CHUNKS {
        body.push_str(&format!(
            "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\
             \"delta\":{{\"type\":\"text_delta\",\"text\":\"{}\"}}}}\n\n",
            delta(i)
        ));
    }
    body.push_str(
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
         event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\
         \"stop_sequence\":null},\"usage\":{\"output_tokens\":4000}}\n\n\
         event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    );
    body.into_bytes()
}

/// Gemini `streamGenerateContent?alt=sse`: each chunk a whole `GenerateContentResponse`.
pub fn gemini_stream() -> Vec<u8> {
    let mut body = String::new();
    for i in 0..CHUNKS {
        let finish = if i + 1 == CHUNKS {
            ",\"finishReason\":\"STOP\""
        } else {
            ""
        };
        body.push_str(&format!(
            "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"{}\"}}],\
             \"role\":\"model\"}}{finish},\"index\":0}}],\"usageMetadata\":{{\"promptTokenCount\":12,\
             \"candidatesTokenCount\":{},\"totalTokenCount\":{}}},\"modelVersion\":\"gemini-2.5-flash\",\
             \"responseId\":\"mWnXaJTLBKOk1MkP5p2w8Q4\"}}\r\n\r\n",
            delta(i),
            2 * (i + 1),
            12 + 2 * (i + 1)
        ));
    }
    body.into_bytes()
}

/// Bedrock `ConverseStream`: AWS event-stream frames.
pub fn bedrock_stream() -> Vec<u8> {
    let frame = |name: &str, payload: &str| {
        encode_message(
            &[
                (":event-type", HeaderValue::String(name)),
                (":content-type", HeaderValue::String("application/json")),
                (":message-type", HeaderValue::String("event")),
            ],
            payload.as_bytes(),
        )
    };
    let mut body = frame("messageStart", "{\"role\":\"assistant\"}");
    for i in 0..CHUNKS {
        body.extend(frame(
            "contentBlockDelta",
            &format!(
                "{{\"contentBlockIndex\":0,\"delta\":{{\"text\":\"{}\"}}}}",
                delta(i)
            ),
        ));
    }
    body.extend(frame("contentBlockStop", "{\"contentBlockIndex\":0}"));
    body.extend(frame("messageStop", "{\"stopReason\":\"end_turn\"}"));
    body.extend(frame(
        "metadata",
        "{\"usage\":{\"inputTokens\":12,\"outputTokens\":4000,\"totalTokens\":4012},\
         \"metrics\":{\"latencyMs\":300}}",
    ));
    body
}

/// Cohere v2 Chat: named events, the text under `delta.message.content.text`.
pub fn cohere_stream() -> Vec<u8> {
    let mut body = String::from(
        "event: message-start\ndata: {\"id\":\"c14c80c3-18eb-4519-9460-6c92edd8cfb4\",\
         \"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[],\
         \"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}\n\n\
         event: content-start\ndata: {\"type\":\"content-start\",\"index\":0,\"delta\":\
         {\"message\":{\"content\":{\"type\":\"text\",\"text\":\"\"}}}}\n\n",
    );
    for i in 0..CHUNKS {
        body.push_str(&format!(
            "event: content-delta\ndata: {{\"type\":\"content-delta\",\"index\":0,\"delta\":\
             {{\"message\":{{\"content\":{{\"text\":\"{}\"}}}}}}}}\n\n",
            delta(i)
        ));
    }
    body.push_str(
        "event: content-end\ndata: {\"type\":\"content-end\",\"index\":0}\n\n\
         event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\
         \"usage\":{\"billed_units\":{\"input_tokens\":12,\"output_tokens\":4000},\
         \"tokens\":{\"input_tokens\":12,\"output_tokens\":4000}}}}\n\n",
    );
    body.into_bytes()
}
