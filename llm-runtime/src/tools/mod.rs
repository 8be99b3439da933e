#![doc = include_str!("../../docs/tools.md")]

mod coerce;
mod error;
mod schema;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use error::{ArgProblem, PathSegment, ToolArgsError};
pub use schema::{parse_args, schema_for, ArgsSchema};

use crate::messages::ToolCallPart;

/// A tool as the model sees it: name, description and JSON schema of its arguments
/// (pydantic-ai's `ToolDefinition`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinition {
    /// The name the model calls the tool by.
    pub name: String,
    /// The JSON schema of the arguments: an object schema.
    #[serde(default = "empty_object_schema")]
    pub parameters_json_schema: Value,
    /// What the tool does, for the model.
    #[serde(default)]
    pub description: Option<String>,
    /// The key the arguments are wrapped under, when the schema wraps a non-object type.
    #[serde(default)]
    pub outer_typed_dict_key: Option<String>,
    /// Whether to ask for strict schema adherence (OpenAI's `strict`); `None` lets the
    /// provider decide from the schema.
    #[serde(default)]
    pub strict: Option<bool>,
    /// Whether calls of this tool must not run in parallel with others.
    #[serde(default)]
    pub sequential: bool,
    /// Whether this is a function tool or an output tool.
    #[serde(default)]
    pub kind: ToolKind,
    /// Application metadata, never sent to the model.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

fn empty_object_schema() -> Value {
    serde_json::json!({"type": "object", "properties": {}})
}

impl ToolDefinition {
    /// A function tool named `name` taking no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        ToolDefinition {
            name: name.into(),
            parameters_json_schema: empty_object_schema(),
            description: None,
            outer_typed_dict_key: None,
            strict: None,
            sequential: false,
            kind: ToolKind::Function,
            metadata: None,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the JSON schema of the arguments.
    pub fn with_parameters(mut self, schema: Value) -> Self {
        self.parameters_json_schema = schema;
        self
    }

    /// Sets `strict`.
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = Some(strict);
        self
    }

    /// Makes this an output tool (its call is the final result).
    pub fn into_output_tool(mut self) -> Self {
        self.kind = ToolKind::Output;
        self
    }
}

/// The kind of a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolKind {
    /// A tool the application runs and returns the result of (the default).
    #[default]
    Function,
    /// A tool whose arguments are the final structured output.
    Output,
    /// A tool run outside the application.
    External,
    /// A tool that needs approval before running.
    Unapproved,
}

/// A Rust type that is a tool: implemented by `#[tool]`.
///
/// ```
/// use llm_runtime::tools::{Tool, ToolDefinition, ToolArgsError};
/// use llm_runtime::messages::ToolCallPart;
///
/// /// Hand-written, as `#[tool]` would generate it.
/// struct Ping;
///
/// impl Tool for Ping {
///     const NAME: &'static str = "ping";
///     fn definition() -> ToolDefinition {
///         ToolDefinition::new(Self::NAME).with_description("Checks that the tool loop works.")
///     }
///     fn from_call(_call: &ToolCallPart) -> Result<Self, ToolArgsError> {
///         Ok(Ping)
///     }
/// }
/// let call = ToolCallPart::new("ping", "{}", "c1");
/// let _ping: Ping = call.parse_args()?;
/// # Ok::<(), ToolArgsError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tool",
    note = "annotate the struct with `#[llm_runtime::tool]` to make it one"
)]
pub trait Tool: Sized {
    /// The name the model calls the tool by.
    const NAME: &'static str;

    /// The definition sent to the provider.
    fn definition() -> ToolDefinition;

    /// Parses the arguments of a call of this tool.
    fn from_call(call: &ToolCallPart) -> Result<Self, ToolArgsError>;
}

impl ToolCallPart {
    /// Parses this call's arguments as the tool `T`: `T::from_call(self)`.
    pub fn parse_args<T: Tool>(&self) -> Result<T, ToolArgsError> {
        T::from_call(self)
    }
}

/// Whether two tool names are equal, usable in `const` context: the code `#[toolset]`
/// generates checks with it, at compile time, that no two of its tools share a name.
///
/// ```
/// use llm_runtime::tools::same_name;
/// const CLASH: bool = same_name("divide", "divide");
/// assert!(CLASH);
/// assert!(!same_name("divide", "multiply"));
/// ```
pub const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
