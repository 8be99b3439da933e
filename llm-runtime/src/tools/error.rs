//! [`ToolArgsError`]: tool-call arguments that do not fit the tool.

use std::fmt;

use serde_json::Value;

use crate::messages::{ErrorDetails, RetryContent, RetryPromptPart, ToolArgs, ToolCallPart};

/// The [`ArgProblem::kind`] of a call of a tool the toolset does not have.
const UNKNOWN_TOOL: &str = "unknown_tool";

/// What is wrong with one argument (or with the arguments as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct ArgProblem {
    /// Where the problem is: field names and list indices, outermost first. Empty for the
    /// arguments as a whole.
    pub loc: Vec<PathSegment>,
    /// What kind of problem it is, in pydantic's words: `missing`, `extra_forbidden`,
    /// `json_invalid`, `float_parsing`, `float_type`, `int_parsing`, `int_from_float`,
    /// `int_type`, `bool_parsing`, `bool_type`, `string_type`, `dict_type`, `list_type`,
    /// `none_required`, `enum`, `literal_error`, `union_tag_invalid`, `greater_than_equal`,
    /// `less_than_equal` (and their exclusive forms), `too_short`, `too_long`,
    /// `string_too_short`, `string_too_long`, `value_error` (rejected by the type's own
    /// `Deserialize`), `unknown_tool`.
    pub kind: String,
    /// What was expected, for a human and a model ("a number", "one of `error`, `infinity`").
    pub expected: String,
    /// The value that came, when one did.
    pub received: Option<Value>,
}

/// One step of a path into JSON arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// An object field.
    Field(String),
    /// An array index.
    Index(usize),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Field(name) => f.write_str(name),
            PathSegment::Index(i) => write!(f, "{i}"),
        }
    }
}

impl ArgProblem {
    /// The path as text: `items[2].name`, or `(arguments)` for the whole.
    pub fn path(&self) -> String {
        if self.loc.is_empty() {
            return "(arguments)".to_owned();
        }
        let mut out = String::new();
        for segment in &self.loc {
            match segment {
                PathSegment::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// The problem as one sentence, without the path.
    pub fn message(&self) -> String {
        match (&self.kind[..], &self.received) {
            ("missing", _) => format!("missing, expected {}", self.expected),
            ("extra_forbidden", _) => format!("unknown argument, expected {}", self.expected),
            (_, Some(received)) => format!("expected {}, got {}", self.expected, short(received)),
            (_, None) => format!("expected {}", self.expected),
        }
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 80 {
        return text;
    }
    let mut end = 77;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// The arguments of a tool call do not fit the tool: names each bad or missing field with what
/// was expected and what came, keeps the raw arguments, and turns into a
/// [`RetryPromptPart`] to send back to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolArgsError {
    /// The tool that was called.
    pub tool_name: String,
    /// The id of the call, when there was a call.
    pub tool_call_id: Option<String>,
    /// The arguments as the model sent them, as JSON text (empty when there were none).
    pub raw_args: String,
    /// Every problem found, in field order.
    pub problems: Vec<ArgProblem>,
}

impl fmt::Display for ToolArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(known) = self.known_tools() {
            return write!(f, "unknown tool `{}`, expected {known}", self.tool_name);
        }
        let count = self.problems.len();
        write!(
            f,
            "{count} invalid argument{} for tool `{}`",
            if count == 1 { "" } else { "s" },
            self.tool_name
        )?;
        for (i, problem) in self.problems.iter().enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(f, "{sep}{}: {}", problem.path(), problem.message())?;
        }
        Ok(())
    }
}

impl std::error::Error for ToolArgsError {}

impl ToolArgsError {
    /// An error for the arguments of `call`, keeping them as they came.
    pub fn new(call: &ToolCallPart, problems: Vec<ArgProblem>) -> Self {
        ToolArgsError {
            tool_name: call.tool_name.clone(),
            tool_call_id: Some(call.tool_call_id.clone()),
            raw_args: match &call.args {
                None => String::new(),
                Some(ToolArgs::Json(text)) => text.clone(),
                Some(ToolArgs::Object(map)) => Value::Object(map.clone()).to_string(),
            },
            problems,
        }
    }

    /// An error for a call of a tool that is not among `known` (the names a toolset has).
    ///
    /// ```
    /// use llm_runtime::messages::ToolCallPart;
    /// use llm_runtime::tools::ToolArgsError;
    ///
    /// let call = ToolCallPart::new("divde", "{}", "call_1");
    /// let err = ToolArgsError::unknown_tool(&call, &["divide", "multiply"]);
    /// assert!(err.is_unknown_tool());
    /// assert_eq!(err.to_string(), "unknown tool `divde`, expected one of `divide`, `multiply`");
    /// ```
    pub fn unknown_tool(call: &ToolCallPart, known: &[&str]) -> Self {
        let names: Vec<String> = known.iter().map(|name| format!("`{name}`")).collect();
        let expected = match names.as_slice() {
            [] => "no tool (none are available)".to_owned(),
            [one] => one.clone(),
            _ => format!("one of {}", names.join(", ")),
        };
        ToolArgsError::new(
            call,
            vec![ArgProblem {
                loc: Vec::new(),
                kind: UNKNOWN_TOOL.to_owned(),
                expected,
                received: Some(Value::String(call.tool_name.clone())),
            }],
        )
    }

    /// Whether the model called a tool that does not exist (see [`ToolArgsError::unknown_tool`]).
    pub fn is_unknown_tool(&self) -> bool {
        self.known_tools().is_some()
    }

    /// What the tools are, when the called one is unknown.
    fn known_tools(&self) -> Option<&str> {
        match self.problems.as_slice() {
            [problem] if problem.kind == UNKNOWN_TOOL => Some(&problem.expected),
            _ => None,
        }
    }

    /// pydantic-ai's words for an unknown tool. The names are read back from `expected`,
    /// where [`ToolArgsError::unknown_tool`] wrote each in backticks (tool names have none).
    fn unknown_tool_text(&self) -> String {
        let available: Vec<String> = self
            .known_tools()
            .unwrap_or_default()
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|name| format!("'{name}'"))
            .collect();
        let available = if available.is_empty() {
            "No tools available.".to_owned()
        } else {
            format!("Available tools: {}", available.join(", "))
        };
        format!("Unknown tool name: '{}'. {available}", self.tool_name)
    }

    /// The problems as pydantic's `ErrorDetails`, as pydantic-ai sends them to the model.
    pub fn error_details(&self) -> Vec<ErrorDetails> {
        self.problems
            .iter()
            .map(|p| ErrorDetails {
                kind: p.kind.clone(),
                loc: p
                    .loc
                    .iter()
                    .map(|s| match s {
                        PathSegment::Field(name) => Value::String(name.clone()),
                        PathSegment::Index(i) => Value::from(*i),
                    })
                    .collect(),
                msg: capitalize(&p.message()),
                input: p.received.clone().unwrap_or(Value::Null),
                ctx: None,
                url: None,
            })
            .collect()
    }

    /// A retry prompt for the model, naming the tool and the call, listing the problems
    /// (for an unknown tool, pydantic-ai's "Unknown tool name: 'x'. Available tools: …").
    /// Without a call (structured output that came as text) it names no tool, as
    /// pydantic-ai's retry prompts for native and prompted output do.
    pub fn to_retry_prompt(&self) -> RetryPromptPart {
        let mut part = RetryPromptPart::new(String::new());
        part.content = match self.known_tools() {
            Some(_) => RetryContent::Text(self.unknown_tool_text()),
            None => RetryContent::Errors(self.error_details()),
        };
        if let Some(id) = &self.tool_call_id {
            part.tool_name = Some(self.tool_name.clone());
            part.tool_call_id = id.clone();
        }
        part
    }
}

impl From<ToolArgsError> for RetryPromptPart {
    fn from(err: ToolArgsError) -> Self {
        err.to_retry_prompt()
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> ToolArgsError {
        ToolArgsError {
            tool_name: "divide".into(),
            tool_call_id: Some("call_1".into()),
            raw_args: r#"{"numerator": "abc"}"#.into(),
            problems: vec![
                ArgProblem {
                    loc: vec![PathSegment::Field("numerator".into())],
                    kind: "float_parsing".into(),
                    expected: "a number".into(),
                    received: Some(json!("abc")),
                },
                ArgProblem {
                    loc: vec![PathSegment::Field("denominator".into())],
                    kind: "missing".into(),
                    expected: "a number".into(),
                    received: None,
                },
            ],
        }
    }

    #[test]
    fn display_names_every_field() {
        assert_eq!(
            sample().to_string(),
            "2 invalid arguments for tool `divide`: numerator: expected a number, got \"abc\"; \
             denominator: missing, expected a number"
        );
    }

    #[test]
    fn becomes_a_retry_prompt_for_the_call() {
        let part = sample().to_retry_prompt();
        assert_eq!(part.tool_name.as_deref(), Some("divide"));
        assert_eq!(part.tool_call_id, "call_1");
        let RetryContent::Errors(errors) = &part.content else {
            panic!("{part:?}")
        };
        assert_eq!(errors[0].loc, vec![json!("numerator")]);
        assert_eq!(errors[0].msg, "Expected a number, got \"abc\"");
        assert_eq!(errors[1].kind, "missing");
        assert!(part.model_response().starts_with("2 validation errors:"));
    }

    #[test]
    fn nested_paths() {
        let problem = ArgProblem {
            loc: vec![
                PathSegment::Field("items".into()),
                PathSegment::Index(2),
                PathSegment::Field("name".into()),
            ],
            kind: "string_type".into(),
            expected: "a string".into(),
            received: Some(json!(1)),
        };
        assert_eq!(problem.path(), "items[2].name");
    }

    #[test]
    fn unknown_tool_lists_the_known_ones_as_pydantic_ai_does() {
        let call = ToolCallPart::new("divde", r#"{"a": 1}"#, "call_9");
        let err = ToolArgsError::unknown_tool(&call, &["divide", "multiply"]);
        assert!(err.is_unknown_tool());
        assert_eq!(err.raw_args, r#"{"a": 1}"#);
        assert_eq!(
            err.to_string(),
            "unknown tool `divde`, expected one of `divide`, `multiply`"
        );
        let part = err.to_retry_prompt();
        assert_eq!(part.tool_name.as_deref(), Some("divde"));
        assert_eq!(part.tool_call_id, "call_9");
        assert_eq!(
            part.content,
            RetryContent::Text(
                "Unknown tool name: 'divde'. Available tools: 'divide', 'multiply'".into()
            )
        );
        let none = ToolArgsError::unknown_tool(&call, &[]);
        assert_eq!(
            none.to_retry_prompt().content,
            RetryContent::Text("Unknown tool name: 'divde'. No tools available.".into())
        );
        assert!(!sample().is_unknown_tool());
    }

    #[test]
    fn unknown_argument_names_the_known_ones() {
        let problem = ArgProblem {
            loc: vec![PathSegment::Field("numerater".into())],
            kind: "extra_forbidden".into(),
            expected: "one of `numerator`, `denominator`".into(),
            received: Some(json!(1)),
        };
        assert_eq!(
            problem.message(),
            "unknown argument, expected one of `numerator`, `denominator`"
        );
    }

    #[test]
    fn raw_args_keep_what_the_model_sent() {
        let mut call = ToolCallPart::new("t", "{oops", "c");
        assert_eq!(ToolArgsError::new(&call, Vec::new()).raw_args, "{oops");
        call.args = None;
        assert_eq!(ToolArgsError::new(&call, Vec::new()).raw_args, "");
        let mut map = serde_json::Map::new();
        map.insert("x".into(), json!(1));
        call.args = Some(ToolArgs::Object(map));
        assert_eq!(ToolArgsError::new(&call, Vec::new()).raw_args, r#"{"x":1}"#);
    }
}
