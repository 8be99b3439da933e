//! The wire types of the Responses API: the request body, the response object and the stream
//! events. Serde types only: what they mean is read in `request.rs`, `response.rs` and
//! `stream.rs`.
//!
//! Request types borrow from the messages they are built from; response and event types borrow
//! their strings from the body ([`CowStr`]) when they have no escapes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::providers::common::CowStr;
use crate::providers::openai::shared::{Count, TokenLogprob, WireArgs};

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /responses`.
#[derive(Serialize)]
pub(super) struct ResponsesRequest<'a> {
    pub(super) model: &'a str,
    pub(super) input: Vec<InputItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) instructions: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tools: Vec<AnyTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tool_choice: Option<ToolChoiceParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reasoning: Option<ReasoningParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) text: Option<TextParam<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_output_tokens: Option<u32>,
    pub(super) stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) include: Vec<&'static str>,
}

/// A tool: a function tool, or a built-in tool built as JSON.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum AnyTool<'a> {
    Function(FunctionTool<'a>),
    Builtin(serde_json::Value),
}

/// One item of `input`.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum InputItem<'a> {
    /// A built-in tool's call or a compaction item, sent back by id, built as JSON.
    Raw(serde_json::Value),
    /// A message given by role, without an id (`EasyInputMessage`).
    Message(Message<'a>),
    /// An assistant message of this provider, sent back with its id.
    OutputMessage(OutputMessage<'a>),
    FunctionCall(FunctionCall<'a>),
    FunctionCallOutput(FunctionCallOutput<'a>),
    Reasoning(ReasoningItem<'a>),
}

#[derive(Serialize)]
pub(super) struct Message<'a> {
    pub(super) role: &'static str,
    pub(super) content: MessageContent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) phase: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum MessageContent<'a> {
    Text(Cow<'a, str>),
    Parts(Vec<InputContent<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::enum_variant_names)] // named by their wire `type`
pub(super) enum InputContent<'a> {
    InputText {
        text: Cow<'a, str>,
    },
    InputImage {
        image_url: Cow<'a, str>,
        detail: Cow<'a, str>,
    },
    InputFile {
        #[serde(skip_serializing_if = "Option::is_none")]
        file_url: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        file_data: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
}

#[derive(Serialize)]
pub(super) struct OutputMessage<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) role: &'static str,
    pub(super) id: &'a str,
    pub(super) status: &'static str,
    pub(super) content: Vec<OutputText<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) phase: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct OutputText<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) text: &'a str,
    pub(super) annotations: [(); 0],
}

#[derive(Serialize)]
pub(super) struct FunctionCall<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) name: &'a str,
    pub(super) arguments: String,
    pub(super) call_id: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) namespace: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct FunctionCallOutput<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) call_id: Cow<'a, str>,
    pub(super) output: String,
}

#[derive(Serialize)]
pub(super) struct ReasoningItem<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) id: &'a str,
    pub(super) summary: Vec<TypedText<'a>>,
    /// `null` when there is none, as pydantic-ai sends it.
    pub(super) encrypted_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) content: Option<Vec<TypedText<'a>>>,
}

/// `{"type": .., "text": ..}`: a reasoning summary or reasoning text.
#[derive(Serialize)]
pub(super) struct TypedText<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) text: &'a str,
}

#[derive(Serialize)]
pub(super) struct FunctionTool<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) name: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) parameters: Value,
    pub(super) strict: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceParam {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        name: String,
    },
    Allowed {
        #[serde(rename = "type")]
        kind: &'static str,
        mode: &'static str,
        tools: Vec<NamedFunction>,
    },
}

#[derive(Serialize)]
pub(super) struct NamedFunction {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) name: String,
}

#[derive(Serialize, Default)]
pub(super) struct ReasoningParam {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) effort: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) summary: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) context: Option<&'static str>,
}

#[derive(Serialize)]
pub(super) struct TextParam<'a> {
    pub(super) format: TextFormat<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum TextFormat<'a> {
    JsonSchema {
        name: &'a str,
        schema: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        strict: Option<bool>,
    },
    JsonObject,
}

// ---------------------------------------------------------------------------------------------
// Responses and stream events
// ---------------------------------------------------------------------------------------------

/// A response object: a non-streamed body, and the `response` of the status events. Its
/// output items are read whole ([`WireItem`]), or as far as [`ItemHead`] reads them.
#[derive(Deserialize)]
#[serde(bound(deserialize = "I: Deserialize<'de>"))]
pub(super) struct WireResponse<'a, I = WireItem<'a>> {
    #[serde(default, borrow)]
    pub(super) id: Option<CowStr<'a>>,
    #[serde(default)]
    pub(super) created_at: Option<f64>,
    #[serde(default, borrow)]
    pub(super) model: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) status: Option<CowStr<'a>>,
    #[serde(default)]
    pub(super) background: Option<bool>,
    #[serde(default, borrow)]
    pub(super) incomplete_details: Option<IncompleteDetails<'a>>,
    #[serde(default, borrow)]
    pub(super) error: Option<WireError<'a>>,
    #[serde(default)]
    pub(super) output: Option<Vec<I>>,
    #[serde(default)]
    pub(super) usage: Option<WireUsage>,
    #[serde(default, borrow)]
    pub(super) conversation: Option<Conversation<'a>>,
    /// OpenAI's moderation results, kept as they came in `provider_details`.
    #[serde(default)]
    pub(super) moderation: Option<Value>,
}

#[derive(Deserialize)]
pub(super) struct IncompleteDetails<'a> {
    #[serde(default, borrow)]
    pub(super) reason: Option<CowStr<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Conversation<'a> {
    #[serde(default, borrow)]
    pub(super) id: Option<CowStr<'a>>,
}

/// The `error` of a failed response, or an `error` event.
#[derive(Deserialize)]
pub(super) struct WireError<'a> {
    #[serde(default, borrow)]
    pub(super) code: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) message: Option<CowStr<'a>>,
}

/// An output item. One shape for every `type` (each reads the fields it has), so that an item
/// type this protocol does not read is reported by name rather than failing the response.
#[derive(Deserialize)]
pub(super) struct WireItem<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: CowStr<'a>,
    #[serde(default, borrow)]
    pub(super) id: Option<CowStr<'a>>,
    /// `message`: `commentary` or `final_answer` (GPT-5.4 and later).
    #[serde(default, borrow)]
    pub(super) phase: Option<CowStr<'a>>,
    /// `message`: `output_text` and `refusal` parts; `reasoning`: raw `reasoning_text`.
    #[serde(default, borrow)]
    pub(super) content: Option<Vec<WireContent<'a>>>,
    /// `reasoning`: the summary parts.
    #[serde(default, borrow)]
    pub(super) summary: Option<Vec<WireSummary<'a>>>,
    #[serde(default, borrow)]
    pub(super) encrypted_content: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) call_id: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) name: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) arguments: Option<WireArgs<'a>>,
    /// `function_call`: the namespace of a tool found by tool search, sent back with the call.
    #[serde(default, borrow)]
    pub(super) namespace: Option<CowStr<'a>>,
}

#[derive(Deserialize)]
pub(super) struct WireContent<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: CowStr<'a>,
    #[serde(default, borrow)]
    pub(super) text: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) refusal: Option<CowStr<'a>>,
    #[serde(default)]
    pub(super) logprobs: Option<Vec<TokenLogprob>>,
}

#[derive(Deserialize)]
pub(super) struct WireSummary<'a> {
    #[serde(default, borrow)]
    pub(super) text: Option<CowStr<'a>>,
}

/// The `type` and `id` of an output item, the rest skipped (still checked to be JSON): what a
/// stream reads of an item whose content the events before it gave. An MCP tool list
/// (`"type": "mcp_list_tools"`) is kept whole, as JSON (`response.completed` backfills its
/// return).
pub(super) struct ItemHead<'a> {
    pub(super) kind: CowStr<'a>,
    pub(super) id: Option<CowStr<'a>>,
    /// The whole item, when it is an MCP tool list.
    pub(super) mcp_list: Option<Value>,
}

impl<'de: 'a, 'a> Deserialize<'de> for ItemHead<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ItemHead<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an output item")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemHead<'a>, A::Error> {
                // The fields before `type` are kept (an MCP tool list is kept whole); once
                // `type` names another item, only its `id` is read.
                let mut whole = Map::new();
                let mut kind: Option<CowStr<'a>> = None;
                let mut id: Option<Option<CowStr<'a>>> = None;
                while let Some(key) = map.next_key::<CowStr<'_>>()? {
                    let key = key.0;
                    let is_list = kind.as_ref().map(|k| k.0 == "mcp_list_tools");
                    match (key.as_ref(), is_list) {
                        ("type", _) if kind.is_some() => {
                            return Err(de::Error::duplicate_field("type"));
                        }
                        ("type", _) => {
                            let value: CowStr<'a> = map.next_value()?;
                            if value.0 == "mcp_list_tools" {
                                whole.insert("type".into(), Value::from(value.0.as_ref()));
                            } else {
                                if let Some(early) = whole.get("id") {
                                    id = Some(string_or_null(early)?);
                                }
                                whole = Map::new();
                            }
                            kind = Some(value);
                        }
                        ("id", _) if id.is_some() || whole.contains_key("id") => {
                            return Err(de::Error::duplicate_field("id"));
                        }
                        ("id", Some(false)) => id = Some(map.next_value()?),
                        (_, Some(false)) => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        (_, None | Some(true)) => {
                            whole.insert(key.into_owned(), map.next_value()?);
                        }
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
                let id = match (id, whole.get("id")) {
                    (Some(id), _) => id,
                    (None, Some(early)) => string_or_null(early)?,
                    (None, None) => None,
                };
                let mcp_list = (kind.0 == "mcp_list_tools").then_some(Value::Object(whole));
                Ok(ItemHead { kind, id, mcp_list })
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// An item's `id` kept as JSON before its `type` came: a string, or `null`.
fn string_or_null<'a, E: de::Error>(value: &Value) -> Result<Option<CowStr<'a>>, E> {
    match value {
        Value::Null => Ok(None),
        Value::String(id) => Ok(Some(CowStr(Cow::Owned(id.clone())))),
        _ => Err(de::Error::invalid_type(
            de::Unexpected::Other("a non-string value"),
            &"a string",
        )),
    }
}

/// `usage`: the counts we map, and every other integer count as a detail.
#[derive(Deserialize)]
pub(super) struct WireUsage {
    #[serde(default)]
    pub(super) input_tokens: Option<Count>,
    #[serde(default)]
    pub(super) output_tokens: Option<Count>,
    #[serde(default)]
    #[allow(dead_code)]
    pub(super) total_tokens: Option<IgnoredAny>,
    #[serde(default)]
    pub(super) input_tokens_details: Option<InputTokensDetails>,
    #[serde(default)]
    pub(super) output_tokens_details: Option<OutputTokensDetails>,
    #[serde(flatten)]
    pub(super) other: BTreeMap<String, Count>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct InputTokensDetails {
    pub(super) cached_tokens: Option<Count>,
    pub(super) cache_write_tokens: Option<Count>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OutputTokensDetails {
    pub(super) reasoning_tokens: Option<Count>,
}

/// The `type` of an event without an SSE event name, and the sequence number of one that is
/// not otherwise read.
#[derive(Deserialize)]
pub(super) struct TypeOnly<'a> {
    #[serde(rename = "type", default, borrow)]
    pub(super) kind: Option<CowStr<'a>>,
    #[serde(default)]
    pub(super) sequence_number: Option<u64>,
}

/// `response.created`, `.in_progress`, `.queued`, `.completed`, `.incomplete`, `.failed`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "I: Deserialize<'de>"))]
pub(super) struct StatusEvent<'a, I = WireItem<'a>> {
    #[serde(borrow)]
    pub(super) response: WireResponse<'a, I>,
    #[serde(default)]
    pub(super) sequence_number: Option<u64>,
}

/// `response.output_item.added` and `.done`: the whole item, or its [`ItemHead`].
#[derive(Deserialize)]
pub(super) struct ItemEvent<I> {
    pub(super) item: I,
    #[serde(default)]
    pub(super) sequence_number: Option<u64>,
}

/// `response.output_text.delta`, nearly every event of a stream: the fields its text needs,
/// the rest (indexes, logprobs) skipped.
#[derive(Deserialize)]
pub(super) struct TextDeltaEvent<'a> {
    #[serde(default, borrow)]
    pub(super) item_id: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) delta: Option<CowStr<'a>>,
    #[serde(default)]
    pub(super) sequence_number: Option<u64>,
}

/// The events of a piece of an item: text, refusal, argument and reasoning deltas and dones.
#[derive(Deserialize)]
pub(super) struct PieceEvent<'a> {
    #[serde(default, borrow)]
    pub(super) item_id: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) delta: Option<CowStr<'a>>,
    /// `response.output_text.done`: the whole text, skipped here (the deltas gave it); read
    /// with [`DoneText`] when no delta came.
    #[serde(default)]
    pub(super) text: Option<IgnoredAny>,
    #[serde(default, borrow)]
    pub(super) refusal: Option<CowStr<'a>>,
    #[serde(default)]
    pub(super) summary_index: Option<u64>,
    #[serde(default)]
    pub(super) content_index: Option<u64>,
    /// `response.reasoning_summary_part.added`: the new summary part.
    #[serde(default, borrow)]
    pub(super) part: Option<WireSummary<'a>>,
    #[serde(default)]
    pub(super) logprobs: Option<Vec<TokenLogprob>>,
    #[serde(default)]
    pub(super) sequence_number: Option<u64>,
}

/// The `text` of a `response.output_text.done` event.
#[derive(Deserialize)]
pub(super) struct DoneText<'a> {
    #[serde(default, borrow)]
    pub(super) text: Option<CowStr<'a>>,
}

/// An `error` event: its fields at the top level (OpenAI) or in an `error` object.
#[derive(Deserialize)]
pub(super) struct ErrorEvent<'a> {
    #[serde(default, borrow)]
    pub(super) code: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) message: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) error: Option<WireError<'a>>,
}
