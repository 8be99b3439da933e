//! Typed structured output: ask a request for a Rust type and get it parsed, with the
//! response and its usage.
//!
//! # Design
//!
//! Each request builder has `.output::<T>()` (for any `T: JsonSchema + DeserializeOwned`) and
//! `.output_tool::<T>()` (for a [`#[tool]`](crate::tool) type, whose name and description
//! the output tool then takes). Both return a typed builder with the same options
//! (`.settings`, `.parameters`, `.instrument`) and `.mode(OutputMode)`:
//!
//! | call | gives |
//! |---|---|
//! | `model_request(m, msgs).output::<T>().await?` | [`TypedResponse<T>`]: `output`, `response`, `usage` |
//! | `model_request(m, msgs).output::<T>().blocking()?` | the same, from synchronous code |
//! | `model_request_stream(m, msgs).output::<T>().await?` | [`TypedStreamedResponse<T>`]: a `Stream` of partial `T`s, then the final one |
//! | `model_request_stream(m, msgs).output::<T>().blocking()?` | [`TypedStreamedResponseSync<T>`]: the same as an `Iterator` |
//!
//! Why this shape: the untyped functions return `(ModelResponse, Usage)` and keep doing so;
//! a typed request adds one value, so it returns a struct that names the three
//! ([`TypedResponse`], as pydantic-ai's `AgentRunResult` has `output`) rather than a
//! triple whose order one must remember. `.output::<T>()` is a method on the existing builders,
//! not four new functions, because every option applies unchanged. The `_sync` functions
//! return at once, so their typed form is `.blocking()` on the typed builder.
//!
//! The output mode defaults to [`OutputMode::Auto`]: the model's profile picks tool, native
//! or prompted output ([`resolve_output_mode`](crate::models::resolve_output_mode)). The
//! request carries both an output tool (`final_result`, pydantic-ai's name) and an output
//! object with the same schema; the resolved mode keeps the one it uses. The answer is read
//! from the output tool's call when there is one, else from the text (native, prompted, or
//! the text of [`OutputMode::ToolOrText`]), a Markdown code fence around it stripped as
//! pydantic-ai strips it. Either way it goes through the forgiving argument parser
//! ([`ArgsSchema::parse`]): `"3"` for a number, `30.0` for an integer. A value that does not
//! fit is an [`Error::ToolArgs`] whose [`ToolArgsError::to_retry_prompt`] can be sent back to
//! the model. A type whose schema is not an object (a number, a list, an enum) is asked for
//! as `{"response": …}` and unwrapped, as pydantic-ai does.
//!
//! **Partial values.** While a stream arrives, the output so far is completed by
//! [`partial_json`] (open strings, arrays and objects closed; a dangling key, a cut number or
//! literal dropped), coerced as far as it fits, and deserialized into `T` itself. The rule is
//! serde's: a partial value is yielded when the JSON so far deserializes into `T` and differs
//! from the last one yielded. A field that is `Option` or `#[serde(default)]` can therefore
//! be missing and shows up as soon as it starts; a required field holds back the partial
//! values until it has arrived. No second "partial" type is generated: make the fields you
//! want to watch grow optional or defaulted. The last item of the stream is the final value,
//! parsed as a non-streamed response is (an error there is the stream's last item).
//!
//! ```
//! use llm_runtime::messages::ModelRequest;
//! use llm_runtime::model_request;
//! use serde::Deserialize;
//!
//! /// A city and its country.
//! #[derive(Debug, Deserialize, schemars::JsonSchema)]
//! struct City {
//!     name: String,
//!     country: String,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let typed = model_request("test", [ModelRequest::user_text_prompt("The largest city in France?")])
//!     .output::<City>()
//!     .await?;
//! // The offline `test` model answers with data generated from the schema.
//! let City { name, country } = typed.output;
//! assert!(!name.is_empty() && !country.is_empty());
//! assert_eq!(typed.response.tool_calls()[0].tool_name, "final_result");
//! assert_eq!(typed.usage.requests, 1);
//! # Ok::<(), llm_runtime::Error>(())
//! # });
//! ```
//!
//! Streamed, with partial values (`Option` fields appear as they arrive):
//!
//! ```
//! use futures::StreamExt;
//! use llm_runtime::messages::ModelRequest;
//! use llm_runtime::models::{OutputMode, TestModel};
//! use llm_runtime::model_request_stream;
//! use serde::Deserialize;
//!
//! #[derive(Debug, Default, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
//! struct Summary {
//!     title: Option<String>,
//!     #[serde(default)]
//!     points: Vec<String>,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let model = TestModel::new().with_custom_output_args(serde_json::json!(
//!     {"title": "Rust in one line", "points": ["fast", "safe"]}
//! ));
//! let mut stream = model_request_stream(model, [ModelRequest::user_text_prompt("Summarise Rust")])
//!     .output::<Summary>()
//!     .mode(OutputMode::Prompted)
//!     .await?;
//! let mut last = None;
//! while let Some(summary) = stream.next().await {
//!     last = Some(summary?);
//! }
//! assert_eq!(last.unwrap().points, ["fast", "safe"]);
//! assert!(stream.usage().response_tokens > 0);
//! # Ok::<(), llm_runtime::Error>(())
//! # });
//! ```
//!
//! A `#[tool]` type as the output, from synchronous code, a bad answer turned into a retry
//! prompt:
//!
//! ```
//! use llm_runtime::messages::{ModelRequest, RetryPromptPart};
//! use llm_runtime::models::TestModel;
//! use llm_runtime::{model_request, tool, Error};
//!
//! /// The weather in a city.
//! #[tool]
//! struct Weather {
//!     city: String,
//!     celsius: f64,
//! }
//!
//! let model = TestModel::new().with_custom_output_args(serde_json::json!({"city": "Paris", "celsius": "21.5"}));
//! let typed = model_request(model, [ModelRequest::user_text_prompt("Weather in Paris?")])
//!     .output_tool::<Weather>()
//!     .blocking()?;
//! assert_eq!(typed.output.celsius, 21.5); // "21.5" accepted for a number
//! assert_eq!(typed.response.tool_calls()[0].tool_name, "weather");
//!
//! let wrong = TestModel::new().with_custom_output_args(serde_json::json!({"city": "Paris"}));
//! let Err(Error::ToolArgs(err)) = model_request(wrong, [ModelRequest::user_text_prompt("Weather?")])
//!     .output_tool::<Weather>()
//!     .blocking()
//! else {
//!     panic!("a missing field is an error")
//! };
//! let retry: RetryPromptPart = (*err).into();
//! assert_eq!(retry.tool_name.as_deref(), Some("weather"));
//! # Ok::<(), llm_runtime::Error>(())
//! ```

mod partial;
mod stream;

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

pub use partial::partial_json;
pub use stream::{TypedStreamedResponse, TypedStreamedResponseSync};

use crate::error::{Error, Result};
use crate::messages::{joined_text, ModelResponse, ModelResponsePart, ToolArgs, ToolCallPart};
use crate::models::{ModelRequestParameters, OutputMode, OutputObjectDefinition};
use crate::tools::{parse_args, schema_for, ArgProblem, ArgsSchema, Tool, ToolArgsError};
use crate::usage::Usage;

/// The name of the output tool of a typed request (pydantic-ai's default).
pub const OUTPUT_TOOL_NAME: &str = "final_result";

/// The description of the output tool when the type has no doc comment (pydantic-ai's).
pub const OUTPUT_TOOL_DESCRIPTION: &str = "The final response which ends this conversation";

/// The key a value whose schema is not an object is wrapped under (pydantic-ai's).
const WRAPPER_KEY: &str = "response";

/// The answer of a typed request: the parsed output, the response it came from, and the
/// usage of the request.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedResponse<T> {
    /// The output, parsed.
    pub output: T,
    /// The whole response.
    pub response: ModelResponse,
    /// The usage of the request.
    pub usage: Usage,
}

/// What a typed request asks for and how its answer is read: the output tool (whose schema is
/// also the output object's) and the parser of `T`.
///
/// Made by [`OutputSpec::new`] for a `JsonSchema` type or [`OutputSpec::tool`] for a
/// `#[tool]` type; the request builders' `.output::<T>()` and `.output_tool::<T>()` make
/// it for you. Usable on its own to parse a response received otherwise.
///
/// ```
/// use llm_runtime::messages::{ModelResponse, TextPart};
/// use llm_runtime::output::OutputSpec;
///
/// #[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
/// struct Answer { value: i64 }
///
/// let spec = OutputSpec::<Answer>::new();
/// let response = ModelResponse::new(vec![TextPart::new("```json\n{\"value\": \"42\"}\n```").into()]);
/// assert_eq!(spec.parse(&response)?, Answer { value: 42 });
/// # Ok::<(), llm_runtime::tools::ToolArgsError>(())
/// ```
pub struct OutputSpec<T> {
    tool: crate::tools::ToolDefinition,
    object_name: Option<String>,
    schema: Cow<'static, ArgsSchema>,
    parse: fn(&ToolCallPart) -> std::result::Result<T, ToolArgsError>,
    partial: fn(Value) -> Option<T>,
    _type: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for OutputSpec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputSpec")
            .field("tool", &self.tool.name)
            .field("object_name", &self.object_name)
            .finish_non_exhaustive()
    }
}

impl<T> Clone for OutputSpec<T> {
    fn clone(&self) -> Self {
        OutputSpec {
            tool: self.tool.clone(),
            object_name: self.object_name.clone(),
            schema: self.schema.clone(),
            parse: self.parse,
            partial: self.partial,
            _type: PhantomData,
        }
    }
}

/// A value wrapped as `{"response": …}`, for types whose schema is not an object.
#[derive(Deserialize, JsonSchema)]
struct Wrapped<T> {
    response: T,
}

impl<T: JsonSchema + DeserializeOwned + 'static> OutputSpec<T> {
    /// The output of type `T`: the tool `final_result`, described by `T`'s doc comment (else
    /// [`OUTPUT_TOOL_DESCRIPTION`]); the object named after `T`'s schema
    /// ([`JsonSchema::schema_name`]: the type's name).
    pub fn new() -> Self {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        let root = Value::from(T::json_schema(&mut generator));
        let text = |key: &str| root.get(key).and_then(Value::as_str).map(str::to_owned);
        let is_object = root.get("type").and_then(Value::as_str) == Some("object");
        let (schema, parse, partial): (&'static ArgsSchema, _, _) = if is_object {
            (
                schema_for::<T>(),
                parse_args::<T> as fn(&ToolCallPart) -> std::result::Result<T, ToolArgsError>,
                (|value| T::deserialize(value).ok()) as fn(Value) -> Option<T>,
            )
        } else {
            (
                schema_for::<Wrapped<T>>(),
                parse_wrapped::<T> as fn(&ToolCallPart) -> std::result::Result<T, ToolArgsError>,
                (|value| Wrapped::<T>::deserialize(value).ok().map(|w| w.response))
                    as fn(Value) -> Option<T>,
            )
        };
        let mut tool = crate::tools::ToolDefinition::new(OUTPUT_TOOL_NAME)
            .with_description(text("description").unwrap_or_else(|| OUTPUT_TOOL_DESCRIPTION.into()))
            .with_parameters(schema.json().clone())
            .into_output_tool();
        if !is_object {
            tool.outer_typed_dict_key = Some(WRAPPER_KEY.to_owned());
        }
        OutputSpec {
            tool,
            object_name: Some(text("title").unwrap_or_else(|| T::schema_name().into_owned())),
            schema: Cow::Borrowed(schema),
            parse,
            partial,
            _type: PhantomData,
        }
    }
}

impl<T: JsonSchema + DeserializeOwned + 'static> Default for OutputSpec<T> {
    fn default() -> Self {
        OutputSpec::new()
    }
}

fn parse_wrapped<T: JsonSchema + DeserializeOwned + 'static>(
    call: &ToolCallPart,
) -> std::result::Result<T, ToolArgsError> {
    parse_args::<Wrapped<T>>(call).map(|wrapped| wrapped.response)
}

impl<T: Tool + DeserializeOwned + 'static> OutputSpec<T> {
    /// The output of the `#[tool]` type `T`: its definition (name, description, schema) as the
    /// output tool, its [`Tool::from_call`] as the parser.
    pub fn tool() -> Self {
        let tool = T::definition().into_output_tool();
        OutputSpec {
            object_name: Some(tool.name.clone()),
            schema: Cow::Owned(ArgsSchema::from_json_schema(
                tool.parameters_json_schema.clone(),
            )),
            tool,
            parse: T::from_call,
            partial: |value| T::deserialize(value).ok(),
            _type: PhantomData,
        }
    }
}

impl<T> OutputSpec<T> {
    /// The output tool a request offers.
    pub fn tool_definition(&self) -> &crate::tools::ToolDefinition {
        &self.tool
    }

    /// Sets the request's output in `parameters`: the output tool, the output object (same
    /// schema) and `mode`; text output is allowed in the modes whose answer is text (for
    /// [`OutputMode::Auto`] the model's profile decides, when the request is made). The
    /// function tools are kept.
    ///
    /// # Errors
    /// [`Error::User`] for [`OutputMode::Text`] and [`OutputMode::Image`], which produce no
    /// structured output.
    pub fn apply(&self, parameters: &mut ModelRequestParameters, mode: OutputMode) -> Result<()> {
        if matches!(mode, OutputMode::Text | OutputMode::Image) {
            return Err(Error::user(format!(
                "typed output needs a structured output mode (auto, tool, native, prompted or \
                 tool_or_text), not {mode:?}"
            )));
        }
        parameters.output_mode = mode;
        parameters.output_tools = vec![self.tool.clone()];
        parameters.output_object = Some(OutputObjectDefinition {
            json_schema: self.tool.parameters_json_schema.clone(),
            name: self.object_name.clone(),
            description: self.tool.description.clone(),
            strict: self.tool.strict,
        });
        parameters.allow_text_output = matches!(
            mode,
            OutputMode::Native | OutputMode::Prompted | OutputMode::ToolOrText
        );
        Ok(())
    }

    /// Parses the output of a whole response: the arguments of its first call of the output
    /// tool, else its text (a Markdown code fence around the JSON stripped).
    ///
    /// # Errors
    /// A [`ToolArgsError`] for arguments or text that do not fit `T`, or when the response
    /// has neither a call of the output tool nor text. It has no call id when the output
    /// was text, so that its retry prompt is a plain one, as pydantic-ai sends for native
    /// and prompted output.
    pub fn parse(&self, response: &ModelResponse) -> std::result::Result<T, ToolArgsError> {
        if let Some(call) = self.output_call(response) {
            return (self.parse)(call);
        }
        let text = response.text();
        let json = strip_markdown_fences(&text);
        let call = ToolCallPart::new(self.tool.name.clone(), json, "");
        if json.trim().is_empty() {
            let mut err = ToolArgsError::new(
                &call,
                vec![ArgProblem {
                    loc: Vec::new(),
                    kind: "missing".to_owned(),
                    expected: format!("a call of the tool `{}` or JSON text", self.tool.name),
                    received: None,
                }],
            );
            err.tool_call_id = None;
            return Err(err);
        }
        (self.parse)(&call).map_err(|mut err| {
            err.tool_call_id = None;
            err
        })
    }

    /// The output a response holds so far, as a partial value (see the module docs): `None`
    /// while nothing of it deserializes into `T`.
    pub fn parse_partial(&self, response: &ModelResponse) -> Option<T> {
        self.partial_value(&response.parts)
            .and_then(|(_, output)| output)
    }

    /// The JSON of the output so far, completed and coerced, and the `T` it deserializes
    /// into, if any.
    /// Reads `parts` in place: a stream's parts, without a [`ModelResponse`] built per event.
    fn partial_value<'p>(
        &self,
        parts: impl IntoIterator<Item = &'p ModelResponsePart> + Clone,
    ) -> Option<(Value, Option<T>)> {
        let call = parts.clone().into_iter().find_map(|part| match part {
            ModelResponsePart::ToolCall(call) if call.tool_name == self.tool.name => Some(call),
            _ => None,
        });
        let mut value = match call {
            Some(call) => match &call.args {
                None => return None,
                Some(ToolArgs::Object(map)) => Value::Object(map.clone()),
                Some(ToolArgs::Json(text)) => partial_json(text)?,
            },
            None => partial_json(strip_partial_fences(&joined_text(parts)))?,
        };
        self.schema.coerce_partial(&mut value);
        let output = (self.partial)(value.clone());
        Some((value, output))
    }

    fn output_call<'r>(&self, response: &'r ModelResponse) -> Option<&'r ToolCallPart> {
        response
            .tool_calls()
            .into_iter()
            .find(|call| call.tool_name == self.tool.name)
    }
}

/// The JSON inside a Markdown code fence, as pydantic-ai's `strip_markdown_fences` finds it:
/// text starting with `{` is taken as it is; else the first fenced block (optionally tagged,
/// e.g. ```` ```json ````) holding an object; else the text as it is.
pub fn strip_markdown_fences(text: &str) -> &str {
    if text.starts_with('{') {
        return text;
    }
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find("```") {
        let start = offset + at + 3;
        if let Some(json) = fenced_object(text, start) {
            return json;
        }
        offset = start;
        rest = &text[start..];
    }
    text
}

/// The object of a fence whose backticks end at `start`: a tag of word characters, a line
/// break, `{`…`}` (the shortest) followed by blanks and the closing fence or the end.
fn fenced_object(text: &str, start: usize) -> Option<&str> {
    let after = &text[start..];
    let tag = after
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(after.len());
    let body = after[tag..].strip_prefix('\r').unwrap_or(&after[tag..]);
    let body = body.strip_prefix('\n')?;
    if !body.starts_with('{') {
        return None;
    }
    body.match_indices('}').find_map(|(end, _)| {
        let rest = body[end + 1..].trim_start();
        (rest.is_empty() || rest.starts_with("```")).then(|| &body[..=end])
    })
}

/// The JSON of a partial text answer: after an opening code fence (once its line is complete),
/// before a closing one.
fn strip_partial_fences(text: &str) -> &str {
    let trimmed = text.trim_start();
    let Some(fenced) = trimmed.strip_prefix("```") else {
        return text;
    };
    let Some(line_end) = fenced.find('\n') else {
        return "";
    };
    let body = &fenced[line_end + 1..];
    body.find("```").map_or(body, |end| &body[..end])
}

#[cfg(test)]
mod tests;
