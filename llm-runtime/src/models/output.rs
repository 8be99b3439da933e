//! How a request asks for structured output where that is a matter of the request itself, not
//! of a wire format: [`OutputMode::Auto`] and [`OutputMode::ToolOrText`] resolved against the
//! model's profile, and the instructions of [`OutputMode::Prompted`] (pydantic-ai's
//! `prompted_output_template`).

use std::borrow::Cow;
use std::io;

use serde_json::Value;

use super::{instructions, ModelProfile, ModelRequestParameters, OutputMode};
use crate::messages::ModelMessage;

/// The instructions [`OutputMode::Prompted`] adds, `{schema}` standing for the output
/// object's JSON schema (pydantic-ai's default `prompted_output_template`).
pub const PROMPTED_OUTPUT_TEMPLATE: &str = "Always respond with a JSON object that's compatible \
with this schema:\n\n{schema}\n\nDon't include any text or Markdown fencing before or after.";

/// `parameters` as pydantic-ai's `Model.prepare_request` resolves them before a request is
/// built; borrowed when there is nothing to change:
///
/// - [`OutputMode::Auto`] becomes the profile's
///   [`default_structured_output_mode`](ModelProfile::default_structured_output_mode), text
///   output allowed exactly when that mode is native or prompted (pydantic-ai's
///   `with_default_output_mode`);
/// - [`OutputMode::ToolOrText`] offers the output tools with text output allowed, so the
///   model is free to answer either way (`tool_choice` auto rather than required);
/// - what the resolved mode does not use is dropped: the output tools outside the tool modes,
///   the output object outside the native and prompted modes. A request may therefore carry
///   both (as a typed request does, see [`crate::output`]) and let the profile choose.
///
/// ```
/// use llm_runtime::models::{resolve_output_mode, ModelProfile, ModelRequestParameters, OutputMode};
/// use llm_runtime::tools::ToolDefinition;
///
/// let parameters = ModelRequestParameters {
///     output_mode: OutputMode::ToolOrText,
///     output_tools: vec![ToolDefinition::new("final_result").into_output_tool()],
///     allow_text_output: false,
///     ..ModelRequestParameters::default()
/// };
/// let resolved = resolve_output_mode(&parameters, &ModelProfile::default());
/// assert!(resolved.allow_text_output);
/// assert_eq!(resolved.output_tools.len(), 1);
/// ```
pub fn resolve_output_mode<'a>(
    parameters: &'a ModelRequestParameters,
    profile: &ModelProfile,
) -> Cow<'a, ModelRequestParameters> {
    let mode = match parameters.output_mode {
        OutputMode::Auto => match profile.default_structured_output_mode {
            OutputMode::Auto => OutputMode::Tool,
            mode => mode,
        },
        mode => mode,
    };
    let allow_text_output = match (parameters.output_mode, mode) {
        (OutputMode::Auto, mode) => matches!(mode, OutputMode::Native | OutputMode::Prompted),
        (_, OutputMode::ToolOrText) => true,
        _ => parameters.allow_text_output,
    };
    let keeps_tools = matches!(mode, OutputMode::Tool | OutputMode::ToolOrText);
    let keeps_object = matches!(mode, OutputMode::Native | OutputMode::Prompted);
    let drops_tools = !keeps_tools && !parameters.output_tools.is_empty();
    let drops_object = !keeps_object && parameters.output_object.is_some();
    if mode == parameters.output_mode
        && allow_text_output == parameters.allow_text_output
        && !drops_tools
        && !drops_object
    {
        return Cow::Borrowed(parameters);
    }
    Cow::Owned(ModelRequestParameters {
        output_mode: mode,
        allow_text_output,
        output_tools: if keeps_tools {
            parameters.output_tools.clone()
        } else {
            Vec::new()
        },
        output_object: parameters.output_object.clone().filter(|_| keeps_object),
        ..parameters.clone()
    })
}

/// The instructions [`OutputMode::Prompted`] adds for the request's output object:
/// [`PROMPTED_OUTPUT_TEMPLATE`] with its schema, named and described as the object is, written
/// as Python's `json.dumps` writes it (pydantic-ai's `PromptedOutputSchema.build_instructions`);
/// `None` in another mode or without an object.
///
/// ```
/// use llm_runtime::models::{
///     prompted_output_instructions, ModelRequestParameters, OutputMode, OutputObjectDefinition,
/// };
/// use serde_json::json;
///
/// let parameters = ModelRequestParameters {
///     output_mode: OutputMode::Prompted,
///     output_object: Some(OutputObjectDefinition {
///         json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
///         name: Some("City".into()),
///         description: None,
///         strict: None,
///     }),
///     ..ModelRequestParameters::default()
/// };
/// let text = prompted_output_instructions(&parameters).unwrap();
/// assert!(text.contains(r#"{"type": "object", "properties": {"city": {"type": "string"}}, "title": "City"}"#));
/// ```
pub fn prompted_output_instructions(parameters: &ModelRequestParameters) -> Option<String> {
    if parameters.output_mode != OutputMode::Prompted {
        return None;
    }
    let object = parameters.output_object.as_ref()?;
    let mut schema = object.json_schema.clone();
    if let Value::Object(map) = &mut schema {
        if let Some(name) = &object.name {
            map.insert("title".into(), Value::String(name.clone()));
        }
        if let Some(description) = &object.description {
            map.insert("description".into(), Value::String(description.clone()));
        }
    }
    Some(PROMPTED_OUTPUT_TEMPLATE.replace("{schema}", &python_json(&schema)))
}

/// The instructions a protocol sends: those of the most recent request that has some
/// ([`instructions`]), then, in the prompted output mode, the output instructions, joined by a
/// blank line (pydantic-ai's `Model._get_instructions`).
pub fn request_instructions<'a>(
    messages: &'a [ModelMessage],
    parameters: &ModelRequestParameters,
) -> Option<Cow<'a, str>> {
    let given = instructions(messages);
    match (given, prompted_output_instructions(parameters)) {
        (given, None) => given.map(Cow::Borrowed),
        (None | Some(""), Some(output)) => Some(Cow::Owned(output)),
        (Some(given), Some(output)) => Some(Cow::Owned(format!("{given}\n\n{output}"))),
    }
}

/// `value` as Python's `json.dumps` writes it: `", "` and `": "` between items, non-ASCII
/// characters escaped.
fn python_json(value: &Value) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    // Writing a `Value` into a `Vec` cannot fail: no I/O error, no non-string map keys.
    if serde::Serialize::serialize(value, &mut serializer).is_err() {
        return value.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_string())
}

/// Python's `json.dumps` defaults as a `serde_json` formatter.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
