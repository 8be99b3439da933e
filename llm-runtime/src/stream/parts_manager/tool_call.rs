//! Tool calls (function and built-in): names, arguments and ids streamed in pieces, a call
//! kept aside until its name arrives, and arguments as JSON text or objects.

use serde_json::{Map, Value};

use super::{ManagedPart, PartsManager, VendorId};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BuiltinToolCallPart, ModelResponsePart, ModelResponsePartDelta,
    ModelResponseStreamEvent, PartDeltaEvent, ToolArgs, ToolCallPart, ToolCallPartDelta,
};

/// Arguments arriving for a tool call: a JSON fragment appended to what came before, or an
/// object merged into it.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgsDelta<'a> {
    /// A fragment of JSON text.
    Json(&'a str),
    /// A JSON object.
    Object(Map<String, Value>),
}

impl PartsManager {
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

        match self.part_mut(index) {
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
            // A function call and a built-in tool's call grow the same three fields.
            ManagedPart::Part(
                ModelResponsePart::ToolCall(ToolCallPart {
                    tool_name: name,
                    args: call_args,
                    tool_call_id: id,
                    ..
                })
                | ModelResponsePart::BuiltinToolCall(BuiltinToolCallPart {
                    tool_name: name,
                    args: call_args,
                    tool_call_id: id,
                    ..
                }),
            ) => {
                let delta = grow_call((name, call_args, id), tool_name, args, tool_call_id)?;
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
        if index >= self.parts.len() {
            return;
        }
        let args = match self.part_mut(index) {
            ManagedPart::Part(ModelResponsePart::ToolCall(call)) => &mut call.args,
            ManagedPart::Part(ModelResponsePart::BuiltinToolCall(call)) => &mut call.args,
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
    Ok(ModelResponsePartDelta::from(ToolCallPartDelta {
        tool_name_delta: tool_name.map(str::to_owned),
        args_delta,
        tool_call_id: Some(call_id.clone()),
        provider_name: None,
        provider_details: None,
    }))
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
pub(super) fn into_call(delta: ToolCallPartDelta) -> ToolCallPart {
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
