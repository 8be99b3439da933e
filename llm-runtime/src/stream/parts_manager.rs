//! [`PartsManager`]: turns a provider's stream chunks into events and the final response
//! (pydantic-ai's `ModelResponsePartsManager`, plus the part-end and final-result events its
//! `StreamedResponse` adds).

use std::collections::{HashMap, VecDeque};

use crate::messages::now;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, FinalResultEvent, FinishReason, ModelResponse, ModelResponsePart,
    ModelResponsePartDelta, ModelResponseStreamEvent, PartDeltaEvent, PartEndEvent, PartStartEvent,
    ResponseState, TextPart, TextPartDelta, ThinkingPart, ThinkingPartDelta, ToolArgs,
    ToolCallPart, ToolCallPartDelta,
};
use crate::models::{BuiltinTool, ModelRequestParameters};
use crate::usage::Usage;
use crate::warning::{Warning, Warnings};

/// How a provider identifies a part across chunks: an index (OpenAI's tool-call `index`,
/// Anthropic's content-block `index`) or a string id (OpenAI Responses item ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorId<'a> {
    /// A numeric index.
    Index(u64),
    /// A string id.
    Key(&'a str),
}

impl From<u64> for VendorId<'_> {
    fn from(i: u64) -> Self {
        VendorId::Index(i)
    }
}

impl From<usize> for VendorId<'_> {
    fn from(i: usize) -> Self {
        VendorId::Index(i as u64)
    }
}

impl From<u32> for VendorId<'_> {
    fn from(i: u32) -> Self {
        VendorId::Index(u64::from(i))
    }
}

impl<'a> From<&'a str> for VendorId<'a> {
    fn from(key: &'a str) -> Self {
        VendorId::Key(key)
    }
}

/// Arguments arriving for a tool call: a JSON fragment appended to what came before, or an
/// object merged into it.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgsDelta<'a> {
    /// A fragment of JSON text.
    Json(&'a str),
    /// A JSON object.
    Object(Map<String, Value>),
}

/// A part being built: complete enough to show, or a tool call still waiting for its name.
#[derive(Debug, Clone)]
enum ManagedPart {
    Part(ModelResponsePart),
    PendingToolCall(ToolCallPartDelta),
}

/// The provider metadata a text or thinking delta carries.
#[derive(Debug, Default)]
struct Metadata<'a> {
    provider_name: Option<&'a str>,
    provider_details: Option<Map<String, Value>>,
}

impl Metadata<'_> {
    fn is_empty(&self) -> bool {
        self.provider_name.is_none() && self.provider_details.is_none()
    }

    /// Applies the metadata to a part's fields as pydantic-ai's deltas do (the name replaces
    /// the part's, the details are merged into its own); returns the name the delta event
    /// carries: `None` when the part already had it.
    fn apply(
        &self,
        name: &mut Option<String>,
        details: &mut Option<Map<String, Value>>,
    ) -> Option<String> {
        let resolved = self
            .provider_name
            .filter(|new| name.as_deref() != Some(*new))
            .map(str::to_owned);
        if let Some(new) = &resolved {
            *name = Some(new.clone());
        }
        if let Some(delta) = &self.provider_details {
            let merged = details.get_or_insert_with(Map::new);
            for (key, value) in delta {
                merged.insert(key.clone(), value.clone());
            }
        }
        resolved
    }
}

/// Accumulates a streamed response: its parts (from deltas keyed by the provider's part ids),
/// its usage and metadata, and the events to hand to the consumer.
///
/// Providers call the `handle_*` methods for each chunk; the events they cause are queued and
/// taken by [`StreamedResponse`](super::StreamedResponse). Text, reasoning and string
/// arguments are appended in place: each delta costs one copy of its text into the part and
/// one into its event.
#[derive(Debug)]
pub struct PartsManager {
    parts: Vec<ManagedPart>,
    by_index: HashMap<u64, usize>,
    by_key: HashMap<Box<str>, usize>,
    events: VecDeque<ModelResponseStreamEvent>,
    last_started: Option<usize>,
    final_result_sent: bool,
    allow_text_output: bool,
    output_tools: Vec<String>,
    /// The built-in tools the request enabled (a protocol may treat a server tool's call
    /// differently when its tool was not asked for, as pydantic-ai does).
    pub builtin_tools: Vec<BuiltinTool>,
    /// Token usage so far; providers overwrite or add to it as usage chunks arrive.
    pub usage: Usage,
    /// The model that answers (starts as the requested model name).
    pub model_name: String,
    /// The provider's name.
    pub provider_name: Option<String>,
    /// The provider's base URL.
    pub provider_url: Option<String>,
    /// What the protocol could not keep of the stream so far (the driver logs and clears
    /// them after each event).
    pub warnings: Warnings,
    /// The provider's id of the response.
    pub provider_response_id: Option<String>,
    /// Why the model stopped, when known.
    pub finish_reason: Option<FinishReason>,
    /// Provider data without a standard field.
    pub provider_details: Option<Map<String, Value>>,
    /// When the response started.
    pub timestamp: DateTime<Utc>,
    /// A state the provider sets explicitly (e.g. `Suspended`); otherwise derived from how the
    /// stream ended.
    pub state_hint: Option<ResponseState>,
}

impl PartsManager {
    /// An empty response to `model_name`, for a request with `parameters` (which decide when
    /// the final-result event is sent).
    pub fn new(model_name: impl Into<String>, parameters: &ModelRequestParameters) -> Self {
        PartsManager {
            parts: Vec::new(),
            by_index: HashMap::new(),
            by_key: HashMap::new(),
            events: VecDeque::new(),
            last_started: None,
            final_result_sent: false,
            allow_text_output: parameters.allow_text_output,
            output_tools: parameters
                .output_tools
                .iter()
                .map(|t| t.name.clone())
                .collect(),
            builtin_tools: parameters.builtin_tools.clone(),
            usage: Usage::default(),
            model_name: model_name.into(),
            provider_name: None,
            provider_url: None,
            warnings: Warnings::new(),
            provider_response_id: None,
            finish_reason: None,
            provider_details: None,
            timestamp: now(),
            state_hint: None,
        }
    }

    /// Sets the provider's name and base URL.
    pub fn with_provider(mut self, name: impl Into<String>, url: Option<String>) -> Self {
        self.provider_name = Some(name.into());
        self.provider_url = url;
        self
    }

    fn lookup(&self, vendor: VendorId<'_>) -> Option<usize> {
        match vendor {
            VendorId::Index(i) => self.by_index.get(&i).copied(),
            VendorId::Key(k) => self.by_key.get(k).copied(),
        }
    }

    fn track(&mut self, vendor: Option<VendorId<'_>>, index: usize) {
        match vendor {
            Some(VendorId::Index(i)) => {
                self.by_index.insert(i, index);
            }
            Some(VendorId::Key(k)) => {
                self.by_key.insert(k.into(), index);
            }
            None => {}
        }
    }

    fn append(&mut self, part: ManagedPart, vendor: Option<VendorId<'_>>) -> usize {
        let index = self.parts.len();
        self.parts.push(part);
        self.track(vendor, index);
        index
    }

    /// The index of the latest part, when it is complete and `matches`.
    fn latest_if(&self, matches: impl Fn(&ManagedPart) -> bool) -> Option<usize> {
        let last = self.parts.len().checked_sub(1)?;
        matches(&self.parts[last]).then_some(last)
    }

    fn kind_error(&self, what: &str, index: usize) -> Error {
        Error::unexpected(format!(
            "cannot apply a {what} delta to part {index}, which is a {}",
            match &self.parts[index] {
                ManagedPart::Part(p) => format!("{:?} part", p.part_kind()),
                ManagedPart::PendingToolCall(_) => "tool call".to_owned(),
            }
        ))
    }

    /// Appends text to the text part `vendor` identifies (or, with `None`, to the latest part
    /// if it is text); starts a new text part otherwise.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies a part that is not text.
    pub fn handle_text_delta(&mut self, vendor: Option<VendorId<'_>>, content: &str) -> Result<()> {
        self.text_delta(vendor, content, false, Metadata::default())
    }

    /// As [`handle_text_delta`](Self::handle_text_delta), for a delta that carries the
    /// provider's name and details (Gemini's thought signatures), as pydantic-ai's parts manager
    /// takes them: a new part starts with them; an existing part takes the name and merges the
    /// details into its own, and the delta event carries them (the name only when it differs
    /// from the part's).
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies a part that is not text.
    pub fn handle_text_delta_with_details(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: &str,
        provider_name: Option<&str>,
        provider_details: Option<Map<String, Value>>,
    ) -> Result<()> {
        let metadata = Metadata {
            provider_name,
            provider_details,
        };
        self.text_delta(vendor, content, false, metadata)
    }

    /// As [`handle_text_delta`](Self::handle_text_delta), but a new part is not started for
    /// whitespace only (some models send `"\n\n"` before a tool call).
    pub fn handle_text_delta_ignoring_leading_whitespace(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: &str,
    ) -> Result<()> {
        self.text_delta(vendor, content, true, Metadata::default())
    }

    fn text_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: &str,
        ignore_leading_whitespace: bool,
        metadata: Metadata<'_>,
    ) -> Result<()> {
        let existing = match vendor {
            None => self.latest_if(|p| matches!(p, ManagedPart::Part(ModelResponsePart::Text(_)))),
            Some(v) => match self.lookup(v) {
                Some(i)
                    if matches!(self.parts[i], ManagedPart::Part(ModelResponsePart::Text(_))) =>
                {
                    Some(i)
                }
                Some(i) => return Err(self.kind_error("text", i)),
                None => None,
            },
        };
        match existing {
            None => {
                if ignore_leading_whitespace && content.trim().is_empty() {
                    return Ok(());
                }
                let part = ModelResponsePart::Text(TextPart {
                    provider_name: metadata.provider_name.map(str::to_owned),
                    provider_details: metadata.provider_details,
                    ..TextPart::new(content)
                });
                let index = self.append(ManagedPart::Part(part), vendor);
                self.emit_start(index);
            }
            Some(index) => {
                let mut provider_name = None;
                if let ManagedPart::Part(ModelResponsePart::Text(text)) = &mut self.parts[index] {
                    text.content.push_str(content);
                    provider_name =
                        metadata.apply(&mut text.provider_name, &mut text.provider_details);
                }
                self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
                    index,
                    delta: ModelResponsePartDelta::Text(TextPartDelta {
                        content_delta: content.to_owned(),
                        provider_name,
                        provider_details: metadata.provider_details,
                    }),
                }));
            }
        }
        Ok(())
    }

    /// Appends reasoning and/or sets the signature of the thinking part `vendor` identifies
    /// (or, with `None`, of the latest part if it is thinking); starts a new one otherwise.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies a part that is not thinking,
    /// or when a new part would have neither content nor signature.
    pub fn handle_thinking_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Option<&str>,
        signature: Option<&str>,
        provider_name: Option<&str>,
    ) -> Result<()> {
        let metadata = Metadata {
            provider_name,
            provider_details: None,
        };
        self.thinking_delta(vendor, content, signature, metadata)
    }

    /// As [`handle_thinking_delta`](Self::handle_thinking_delta), for a delta that also
    /// carries provider details (Gemini's thought signatures): a new part starts with them (they
    /// alone are enough to start one); an existing part merges them into its own, and the delta
    /// event carries them. The provider name is sent in the event only when it differs from the
    /// part's, as pydantic-ai does.
    ///
    /// # Errors
    /// As [`handle_thinking_delta`](Self::handle_thinking_delta).
    pub fn handle_thinking_delta_with_details(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Option<&str>,
        signature: Option<&str>,
        provider_name: Option<&str>,
        provider_details: Option<Map<String, Value>>,
    ) -> Result<()> {
        let metadata = Metadata {
            provider_name,
            provider_details,
        };
        self.thinking_delta(vendor, content, signature, metadata)
    }

    fn thinking_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Option<&str>,
        signature: Option<&str>,
        metadata: Metadata<'_>,
    ) -> Result<()> {
        let existing = match vendor {
            None => {
                self.latest_if(|p| matches!(p, ManagedPart::Part(ModelResponsePart::Thinking(_))))
            }
            Some(v) => match self.lookup(v) {
                Some(i)
                    if matches!(
                        self.parts[i],
                        ManagedPart::Part(ModelResponsePart::Thinking(_))
                    ) =>
                {
                    Some(i)
                }
                Some(i) => return Err(self.kind_error("thinking", i)),
                None => None,
            },
        };
        match existing {
            None => {
                if content.is_none() && signature.is_none() && metadata.provider_details.is_none() {
                    return Err(Error::unexpected(
                        "cannot start a thinking part with neither content nor signature",
                    ));
                }
                let part = ModelResponsePart::Thinking(ThinkingPart {
                    content: content.unwrap_or_default().to_owned(),
                    signature: signature.map(str::to_owned),
                    provider_name: metadata.provider_name.map(str::to_owned),
                    provider_details: metadata.provider_details,
                    ..ThinkingPart::default()
                });
                let index = self.append(ManagedPart::Part(part), vendor);
                self.emit_start(index);
            }
            Some(index) => {
                if content.is_none() && signature.is_none() && metadata.is_empty() {
                    return Ok(());
                }
                let mut provider_name = None;
                if let ManagedPart::Part(ModelResponsePart::Thinking(part)) = &mut self.parts[index]
                {
                    if let Some(content) = content {
                        part.content.push_str(content);
                    }
                    if let Some(signature) = signature {
                        part.signature = Some(signature.to_owned());
                    }
                    provider_name =
                        metadata.apply(&mut part.provider_name, &mut part.provider_details);
                }
                self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
                    index,
                    delta: ModelResponsePartDelta::Thinking(ThinkingPartDelta {
                        content_delta: content.map(str::to_owned),
                        signature_delta: signature.map(str::to_owned),
                        provider_name,
                        provider_details: metadata.provider_details,
                    }),
                }));
            }
        }
        Ok(())
    }

    /// Adds a piece of a tool call: more of its name, of its arguments, or its id.
    ///
    /// A call whose name has not arrived yet is kept aside (no event) and shows up, with a
    /// `PartStart`, when its name arrives. With `vendor = None`, a piece without a name
    /// continues the latest tool call and a piece with a name starts a new one. A built-in tool
    /// call started with [`handle_part`](Self::handle_part) grows the same way (its arguments
    /// streamed as JSON fragments), as in pydantic-ai.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies a part that is not a tool
    /// call, or when a JSON fragment meets object arguments (or the reverse).
    pub fn handle_tool_call_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        tool_name: Option<&str>,
        args: Option<ArgsDelta<'_>>,
        tool_call_id: Option<&str>,
    ) -> Result<()> {
        let is_call = |p: &ManagedPart| {
            matches!(
                p,
                ManagedPart::PendingToolCall(_)
                    | ManagedPart::Part(
                        ModelResponsePart::ToolCall(_) | ModelResponsePart::BuiltinToolCall(_)
                    )
            )
        };
        let existing = match vendor {
            None if tool_name.is_none() => self.latest_if(is_call),
            None => None,
            Some(v) => match self.lookup(v) {
                Some(i) if is_call(&self.parts[i]) => Some(i),
                Some(i) => return Err(self.kind_error("tool call", i)),
                None => None,
            },
        };
        let Some(index) = existing else {
            let delta = ToolCallPartDelta {
                tool_name_delta: tool_name.map(str::to_owned),
                args_delta: args.map(owned_args),
                tool_call_id: tool_call_id.map(str::to_owned),
                provider_name: None,
                provider_details: None,
            };
            if delta.tool_name_delta.is_some() {
                let index = self.append(ManagedPart::Part(into_call(delta).into()), vendor);
                self.emit_start(index);
            } else {
                self.append(ManagedPart::PendingToolCall(delta), vendor);
            }
            return Ok(());
        };

        match &mut self.parts[index] {
            ManagedPart::PendingToolCall(pending) => {
                if let Some(name) = tool_name {
                    pending
                        .tool_name_delta
                        .get_or_insert_with(String::new)
                        .push_str(name);
                }
                if let Some(args) = args {
                    merge_args(&mut pending.args_delta, args)?;
                }
                if let Some(id) = tool_call_id {
                    pending.tool_call_id = Some(id.to_owned());
                }
                if pending.tool_name_delta.is_some() {
                    let call = into_call(std::mem::take(pending));
                    self.parts[index] = ManagedPart::Part(call.into());
                    self.emit_start(index);
                }
            }
            ManagedPart::Part(ModelResponsePart::ToolCall(call)) => {
                let delta = grow_call(
                    (&mut call.tool_name, &mut call.args, &mut call.tool_call_id),
                    tool_name,
                    args,
                    tool_call_id,
                )?;
                self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
                    index,
                    delta,
                }));
            }
            ManagedPart::Part(ModelResponsePart::BuiltinToolCall(call)) => {
                let delta = grow_call(
                    (&mut call.tool_name, &mut call.args, &mut call.tool_call_id),
                    tool_name,
                    args,
                    tool_call_id,
                )?;
                self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
                    index,
                    delta,
                }));
            }
            ManagedPart::Part(_) => return Err(self.kind_error("tool call", index)),
        }
        Ok(())
    }

    /// Adds a whole tool call, or replaces the one `vendor` identifies.
    pub fn handle_tool_call_part(
        &mut self,
        vendor: Option<VendorId<'_>>,
        tool_name: &str,
        args: Option<ToolArgs>,
        tool_call_id: Option<&str>,
    ) {
        let call = ToolCallPart {
            args,
            ..ToolCallPart::new(
                tool_name,
                "",
                tool_call_id.map_or_else(generate_tool_call_id, str::to_owned),
            )
        };
        self.handle_part(vendor, call.into());
    }

    /// Turns the arguments of the tool call `vendor` identifies into the JSON object they
    /// spell when they are one whole JSON object text, or nothing at all (`{}` then), so that a
    /// call streamed as JSON fragments ends as the object a whole response carries (Anthropic's
    /// `tool_use.input`). Arguments that are not one object (a stream cut short, a model's
    /// mistake) are kept as received. No event is emitted: the part's `PartEnd` carries the
    /// result. Nothing happens when `vendor` identifies no tool call.
    pub fn end_tool_call_args_as_object(&mut self, vendor: VendorId<'_>) {
        let Some(index) = self.lookup(vendor) else {
            return;
        };
        let args = match self.parts.get_mut(index) {
            Some(ManagedPart::Part(ModelResponsePart::ToolCall(call))) => &mut call.args,
            Some(ManagedPart::Part(ModelResponsePart::BuiltinToolCall(call))) => &mut call.args,
            _ => return,
        };
        let object = match args {
            None => Some(Map::new()),
            Some(ToolArgs::Json(text)) if text.trim().is_empty() => Some(Map::new()),
            Some(ToolArgs::Json(text)) => serde_json::from_str::<Map<String, Value>>(text).ok(),
            Some(ToolArgs::Object(_)) => None,
        };
        if let Some(object) = object {
            *args = Some(ToolArgs::Object(object));
        }
    }

    /// Adds a whole part, or replaces the part of the same kind that `vendor` identifies.
    pub fn handle_part(&mut self, vendor: Option<VendorId<'_>>, part: ModelResponsePart) {
        let replace = vendor.and_then(|v| self.lookup(v)).filter(|&i| {
            matches!(&self.parts[i], ManagedPart::Part(p) if p.part_kind() == part.part_kind())
        });
        let index = match replace {
            Some(i) => {
                self.parts[i] = ManagedPart::Part(part);
                i
            }
            None => self.append(ManagedPart::Part(part), vendor),
        };
        self.track(vendor, index);
        self.emit_start(index);
    }

    /// Adds a whole part without announcing it (no `PartStart`), keeping its place: a later
    /// [`handle_part`](Self::handle_part) with the same `vendor` replaces and announces it. For
    /// a part whose content arrives events later (Gemini's file search results, which
    /// pydantic-ai reserves this way).
    pub fn reserve_part(&mut self, vendor: VendorId<'_>, part: ModelResponsePart) {
        self.append(ManagedPart::Part(part), Some(vendor));
    }

    /// Merges `details` into the provider details of the part `vendor` identifies, and emits a
    /// delta of that part's kind carrying only them (pydantic-ai's delta with empty content and
    /// `provider_details`): for data a provider sends after the part's content, such as the
    /// logprobs at the end of an OpenAI Responses text part.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies no part, or a tool call still
    /// waiting for its name.
    pub fn handle_provider_details(
        &mut self,
        vendor: VendorId<'_>,
        details: Map<String, Value>,
    ) -> Result<()> {
        let Some(index) = self.lookup(vendor) else {
            return Err(Error::unexpected(format!(
                "provider details {} arrived for {vendor:?}, which identifies no part",
                Value::Object(details)
            )));
        };
        fn merge(target: &mut Option<Map<String, Value>>, details: &Map<String, Value>) {
            let target = target.get_or_insert_with(Map::new);
            for (key, value) in details {
                target.insert(key.clone(), value.clone());
            }
        }
        let delta = match &mut self.parts[index] {
            ManagedPart::Part(ModelResponsePart::Text(part)) => {
                merge(&mut part.provider_details, &details);
                ModelResponsePartDelta::Text(TextPartDelta {
                    content_delta: String::new(),
                    provider_name: None,
                    provider_details: Some(details),
                })
            }
            ManagedPart::Part(ModelResponsePart::Thinking(part)) => {
                merge(&mut part.provider_details, &details);
                ModelResponsePartDelta::Thinking(ThinkingPartDelta {
                    provider_details: Some(details),
                    ..ThinkingPartDelta::default()
                })
            }
            ManagedPart::Part(ModelResponsePart::ToolCall(call)) => {
                merge(&mut call.provider_details, &details);
                ModelResponsePartDelta::ToolCall(ToolCallPartDelta {
                    tool_call_id: Some(call.tool_call_id.clone()),
                    provider_details: Some(details),
                    ..ToolCallPartDelta::default()
                })
            }
            ManagedPart::Part(ModelResponsePart::BuiltinToolCall(call)) => {
                merge(&mut call.provider_details, &details);
                ModelResponsePartDelta::ToolCall(ToolCallPartDelta {
                    tool_call_id: Some(call.tool_call_id.clone()),
                    provider_details: Some(details),
                    ..ToolCallPartDelta::default()
                })
            }
            // pydantic-ai has no delta for these parts: the details are kept in the part, and
            // its `PartEnd` carries them.
            ManagedPart::Part(ModelResponsePart::BuiltinToolReturn(part)) => {
                merge(&mut part.provider_details, &details);
                return Ok(());
            }
            ManagedPart::Part(ModelResponsePart::File(part)) => {
                merge(&mut part.provider_details, &details);
                return Ok(());
            }
            ManagedPart::Part(ModelResponsePart::Compaction(part)) => {
                merge(&mut part.provider_details, &details);
                return Ok(());
            }
            ManagedPart::PendingToolCall(_) => {
                return Err(self.kind_error("provider details", index));
            }
        };
        self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
            index,
            delta,
        }));
        Ok(())
    }

    /// Forgets `vendor`, so that its next delta starts a new part.
    pub fn stop_tracking(&mut self, vendor: VendorId<'_>) {
        match vendor {
            VendorId::Index(i) => {
                self.by_index.remove(&i);
            }
            VendorId::Key(k) => {
                self.by_key.remove(k);
            }
        }
    }

    /// The parts so far, without tool calls still waiting for their name.
    pub fn parts(&self) -> impl Iterator<Item = &ModelResponsePart> + Clone {
        self.parts.iter().filter_map(|p| match p {
            ManagedPart::Part(part) => Some(part),
            ManagedPart::PendingToolCall(_) => None,
        })
    }

    /// The response so far, in the given state.
    pub(crate) fn response(&self, state: ResponseState) -> ModelResponse {
        let mut usage = self.usage.clone();
        if usage.requests == 0 {
            usage.requests = 1;
        }
        usage.recompute_total();
        ModelResponse {
            parts: self.parts().cloned().collect(),
            usage,
            model_name: Some(self.model_name.clone()),
            timestamp: self.timestamp,
            provider_name: self.provider_name.clone(),
            provider_url: self.provider_url.clone(),
            provider_details: self.provider_details.clone(),
            provider_response_id: self.provider_response_id.clone(),
            finish_reason: self.finish_reason,
            state: self.state_hint.unwrap_or(state),
            ..ModelResponse::default()
        }
    }

    /// Takes the next queued event.
    pub(crate) fn pop_event(&mut self) -> Option<ModelResponseStreamEvent> {
        self.events.pop_front()
    }

    /// Whether an event is queued for the consumer.
    pub(crate) fn has_event(&self) -> bool {
        !self.events.is_empty()
    }

    /// Ends the stream: the last started part gets its `PartEnd`. Tool calls that never
    /// received a name are left out of the response, with a warning.
    pub(crate) fn finish(&mut self) {
        if let Some(last) = self.last_started.take() {
            if let Some(part) = self.parts[last].with_end() {
                let event = ModelResponseStreamEvent::PartEnd(PartEndEvent {
                    index: last,
                    part: part.clone(),
                    next_part_kind: None,
                });
                self.emit(event);
            }
        }
        for (index, part) in self.parts.iter().enumerate() {
            if let ManagedPart::PendingToolCall(pending) = part {
                self.warnings.push(Warning::dropped_content(
                    "tool call",
                    format!(
                        "the stream ended with a tool call (part {index}, arguments {:?}) that \
                         never received its name; it is left out of the response",
                        pending.args_delta
                    ),
                ));
            }
        }
    }

    fn emit(&mut self, event: ModelResponseStreamEvent) {
        self.events.push_back(event);
    }

    /// Emits `PartStart` for the part at `index`, preceded by the `PartEnd` of the previously
    /// started part and followed by `FinalResult` when this is the first part that produces
    /// the final result.
    fn emit_start(&mut self, index: usize) {
        let ManagedPart::Part(part) = &self.parts[index] else {
            return;
        };
        let part = part.clone();
        let mut previous_part_kind = None;
        if let Some(last) = self.last_started {
            if let ManagedPart::Part(previous) = &self.parts[last] {
                previous_part_kind = Some(previous.part_kind());
            }
            if let Some(previous) = self.parts[last].with_end() {
                let end = ModelResponseStreamEvent::PartEnd(PartEndEvent {
                    index: last,
                    part: previous.clone(),
                    next_part_kind: Some(part.part_kind()),
                });
                self.emit(end);
            }
        }
        self.last_started = Some(index);
        let final_result = if self.final_result_sent {
            None
        } else {
            match &part {
                ModelResponsePart::Text(_) if self.allow_text_output => Some(FinalResultEvent {
                    tool_name: None,
                    tool_call_id: None,
                }),
                ModelResponsePart::ToolCall(call)
                    if self.output_tools.contains(&call.tool_name) =>
                {
                    Some(FinalResultEvent {
                        tool_name: Some(call.tool_name.clone()),
                        tool_call_id: Some(call.tool_call_id.clone()),
                    })
                }
                _ => None,
            }
        };
        self.emit(ModelResponseStreamEvent::PartStart(PartStartEvent {
            index,
            part,
            previous_part_kind,
        }));
        if let Some(event) = final_result {
            self.final_result_sent = true;
            self.emit(ModelResponseStreamEvent::FinalResult(event));
        }
    }
}

/// Applies a piece of a tool call (function or built-in) to its name, arguments and id, and
/// gives the delta event's content.
fn grow_call(
    (name, call_args, call_id): (&mut String, &mut Option<ToolArgs>, &mut String),
    tool_name: Option<&str>,
    args: Option<ArgsDelta<'_>>,
    tool_call_id: Option<&str>,
) -> Result<ModelResponsePartDelta> {
    if let Some(more) = tool_name {
        name.push_str(more);
    }
    let args_delta = match args {
        Some(args) => {
            let owned = owned_args_ref(&args);
            merge_args(call_args, args)?;
            Some(owned)
        }
        None => None,
    };
    if let Some(id) = tool_call_id {
        id.clone_into(call_id);
    }
    Ok(ModelResponsePartDelta::ToolCall(ToolCallPartDelta {
        tool_name_delta: tool_name.map(str::to_owned),
        args_delta,
        tool_call_id: Some(call_id.clone()),
        provider_name: None,
        provider_details: None,
    }))
}

impl ManagedPart {
    /// The part, when it gets a `PartEnd`: as in pydantic-ai, only the parts that grow by
    /// deltas (text, thinking, tool calls and built-in tool calls) do.
    fn with_end(&self) -> Option<&ModelResponsePart> {
        match self {
            ManagedPart::Part(
                part @ (ModelResponsePart::Text(_)
                | ModelResponsePart::Thinking(_)
                | ModelResponsePart::ToolCall(_)
                | ModelResponsePart::BuiltinToolCall(_)),
            ) => Some(part),
            _ => None,
        }
    }
}

fn owned_args(args: ArgsDelta<'_>) -> ToolArgs {
    match args {
        ArgsDelta::Json(text) => ToolArgs::Json(text.to_owned()),
        ArgsDelta::Object(map) => ToolArgs::Object(map),
    }
}

fn owned_args_ref(args: &ArgsDelta<'_>) -> ToolArgs {
    match args {
        ArgsDelta::Json(text) => ToolArgs::Json((*text).to_owned()),
        ArgsDelta::Object(map) => ToolArgs::Object(map.clone()),
    }
}

/// Appends a JSON fragment to string arguments, or merges an object into object arguments.
/// Empty arguments of either form take the other form (some compatible servers send `""`
/// before an object, or `{}` before text).
fn merge_args(target: &mut Option<ToolArgs>, delta: ArgsDelta<'_>) -> Result<()> {
    let empty = match target {
        None => true,
        Some(ToolArgs::Json(text)) => text.trim().is_empty(),
        Some(ToolArgs::Object(map)) => map.is_empty(),
    };
    match (target.as_mut(), delta) {
        (Some(ToolArgs::Json(text)), ArgsDelta::Json(fragment)) => text.push_str(fragment),
        (Some(ToolArgs::Object(map)), ArgsDelta::Object(delta)) => map.extend(delta),
        (_, delta) if empty => *target = Some(owned_args(delta)),
        (_, ArgsDelta::Object(delta)) => {
            return Err(Error::unexpected(format!(
                "cannot merge object arguments {} into JSON-text arguments",
                Value::Object(delta)
            )))
        }
        (_, ArgsDelta::Json(fragment)) => {
            return Err(Error::unexpected(format!(
                "cannot append the JSON fragment {fragment:?} to object arguments"
            )))
        }
    }
    Ok(())
}

/// The tool call a delta describes, once its name has arrived.
fn into_call(delta: ToolCallPartDelta) -> ToolCallPart {
    ToolCallPart {
        tool_name: delta.tool_name_delta.unwrap_or_default(),
        args: delta.args_delta,
        tool_call_id: delta.tool_call_id.unwrap_or_else(generate_tool_call_id),
        tool_kind: None,
        id: None,
        provider_name: delta.provider_name,
        provider_details: delta.provider_details,
    }
}

#[cfg(test)]
mod tests;
