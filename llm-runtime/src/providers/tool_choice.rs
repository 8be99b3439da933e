//! Which tools a request offers and which the model may call: the rules every protocol shares
//! (pydantic-ai's `resolve_tool_choice`), before each maps the result to its own wire format.

use crate::error::{Error, Result};
use crate::models::ModelRequestParameters;
use crate::settings::ToolChoice;
use crate::tools::ToolDefinition;
use crate::warning::{Warning, Warnings};

/// The tools of a request as they are sent: the function tools, then the output tools, each
/// name once (the first definition of a name wins).
pub(super) fn tool_definitions(parameters: &ModelRequestParameters) -> Vec<&ToolDefinition> {
    let mut definitions: Vec<&ToolDefinition> = Vec::new();
    for tool in parameters
        .function_tools
        .iter()
        .chain(&parameters.output_tools)
    {
        if !definitions.iter().any(|d| d.name == tool.name) {
            definitions.push(tool);
        }
    }
    definitions
}

/// A tool choice resolved against the tools of a request (pydantic-ai's `resolve_tool_choice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ResolvedToolChoice {
    /// No tool may be called.
    None,
    /// The model chooses; text output is allowed.
    Auto,
    /// The model must call a tool.
    Required,
    /// Only these tools are available; `required` when one must be called.
    Only { required: bool, names: Vec<String> },
}

/// Resolves `choice` against the tools of `parameters`; unknown tool names beside known ones go
/// into `warnings`.
///
/// # Errors
/// [`Error::User`] for a choice that leaves the model no way to answer or names only unknown
/// tools.
pub(super) fn resolve_tool_choice(
    choice: Option<&ToolChoice>,
    parameters: &ModelRequestParameters,
    warnings: &mut Warnings,
) -> Result<ResolvedToolChoice> {
    let allow_direct_output = parameters.allow_text_output;
    let available: Vec<&str> = tool_definitions(parameters)
        .into_iter()
        .map(|tool| tool.name.as_str())
        .collect();
    let function_names: Vec<&str> = parameters
        .function_tools
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let output_names: Vec<String> = parameters
        .output_tools
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let same_set = |names: &[String]| {
        names.iter().all(|n| available.contains(&n.as_str()))
            && available.iter().all(|a| names.iter().any(|n| n == a))
    };

    let none = || -> Result<ResolvedToolChoice> {
        if !output_names.is_empty() {
            let required = if allow_direct_output {
                false
            } else if !parameters.function_tools.is_empty() {
                true
            } else {
                return Ok(ResolvedToolChoice::Required);
            };
            return Ok(ResolvedToolChoice::Only {
                required,
                names: output_names.clone(),
            });
        }
        if allow_direct_output {
            Ok(ResolvedToolChoice::None)
        } else {
            Err(Error::user(
                "`tool_choice` none leaves the model no way to answer: allow text output or add \
                 output tools",
            ))
        }
    };

    match choice {
        None | Some(ToolChoice::Auto) => Ok(if allow_direct_output {
            ResolvedToolChoice::Auto
        } else {
            ResolvedToolChoice::Required
        }),
        Some(ToolChoice::None) => none(),
        Some(ToolChoice::Tools(names)) if names.is_empty() => none(),
        Some(ToolChoice::Required) => {
            if parameters.function_tools.is_empty() {
                return Err(Error::user(
                    "`tool_choice` is `Required` but no function tools are defined: define some or \
                     use `Auto` or `None`",
                ));
            }
            Ok(ResolvedToolChoice::Required)
        }
        Some(ToolChoice::Tools(names)) => {
            let chosen = dedupe(names);
            check_tool_names(&chosen, &available, "available tools", warnings)?;
            if same_set(&chosen) {
                return Ok(ResolvedToolChoice::Required);
            }
            Ok(ResolvedToolChoice::Only {
                required: true,
                names: chosen,
            })
        }
        Some(ToolChoice::ToolOrOutput(names)) => {
            if names.is_empty() {
                if output_names.is_empty() {
                    return Ok(ResolvedToolChoice::None);
                }
                return Ok(ResolvedToolChoice::Only {
                    required: !allow_direct_output,
                    names: output_names,
                });
            }
            let chosen = dedupe(names);
            check_tool_names(
                &chosen,
                &function_names,
                "available function tools",
                warnings,
            )?;
            let mut allowed = chosen;
            for name in output_names {
                if !allowed.contains(&name) {
                    allowed.push(name);
                }
            }
            if same_set(&allowed) {
                return Ok(if allow_direct_output {
                    ResolvedToolChoice::Auto
                } else {
                    ResolvedToolChoice::Required
                });
            }
            Ok(ResolvedToolChoice::Only {
                required: !allow_direct_output,
                names: allowed,
            })
        }
    }
}

/// A tool choice for an API that takes a mode or one named tool, but no list of allowed tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ForcedChoice {
    /// The model chooses.
    Auto,
    /// No tool may be called.
    None,
    /// The model must call a tool.
    Required,
    /// The model must call this tool.
    Tool(String),
}

/// Maps `resolved` for an API that cannot restrict the tools by argument (Anthropic, Chat
/// Completions): a choice of some tools is sent as the tools to keep (the second value), and
/// one required tool as [`ForcedChoice::Tool`]. `supports_forcing(specific)` says whether the
/// model can be made to call a tool (`specific`: a named one); where it cannot, a forced choice
/// falls back to [`ForcedChoice::Auto`].
///
/// # Errors
/// Those of `supports_forcing`, which errs when forcing was asked for explicitly and the model
/// cannot do it.
pub(super) fn without_allowed_tools(
    resolved: ResolvedToolChoice,
    mut supports_forcing: impl FnMut(bool) -> Result<bool>,
) -> Result<(ForcedChoice, Option<Vec<String>>)> {
    Ok(match resolved {
        ResolvedToolChoice::Auto => (ForcedChoice::Auto, None),
        ResolvedToolChoice::None => (ForcedChoice::None, None),
        ResolvedToolChoice::Required => {
            if supports_forcing(false)? {
                (ForcedChoice::Required, None)
            } else {
                (ForcedChoice::Auto, None)
            }
        }
        ResolvedToolChoice::Only {
            required,
            mut names,
        } => {
            let supports = supports_forcing(true)?;
            if required && supports && names.len() == 1 {
                if let Some(name) = names.pop() {
                    return Ok((ForcedChoice::Tool(name), None));
                }
            }
            if required && supports {
                (ForcedChoice::Required, Some(names))
            } else {
                (ForcedChoice::Auto, Some(names))
            }
        }
    })
}

fn dedupe(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

/// Rejects a tool choice that names only unknown tools; some unknown ones are a warning.
fn check_tool_names(
    chosen: &[String],
    available: &[&str],
    label: &str,
    warnings: &mut Warnings,
) -> Result<()> {
    let invalid: Vec<&str> = chosen
        .iter()
        .map(String::as_str)
        .filter(|name| !available.contains(name))
        .collect();
    if invalid.is_empty() {
        return Ok(());
    }
    if invalid.len() == chosen.len() {
        return Err(Error::user(format!(
            "`tool_choice` names unknown tools {invalid:?}; {label}: {available:?}"
        )));
    }
    warnings.push(Warning::unsupported_setting(
        "tool_choice",
        format!(
            "`tool_choice` names tools that are not available, which are ignored: {invalid:?}; \
             {label}: {available:?}"
        ),
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters() -> ModelRequestParameters {
        ModelRequestParameters {
            function_tools: vec![
                ToolDefinition::new("get_weather"),
                ToolDefinition::new("get_time"),
            ],
            ..ModelRequestParameters::default()
        }
    }

    #[test]
    fn unknown_names_beside_known_ones_are_a_warning() {
        let mut warnings = Warnings::new();
        let choice = ToolChoice::Tools(vec!["get_weather".into(), "get_tides".into()]);
        let resolved = resolve_tool_choice(Some(&choice), &parameters(), &mut warnings);
        assert!(matches!(resolved, Ok(ResolvedToolChoice::Only { .. })));
        assert_eq!(warnings.len(), 1);
        let warning = &warnings.as_slice()[0];
        assert_eq!(warning.setting(), Some("tool_choice"));
        assert!(warning.message().contains("get_tides"), "{warning}");
    }

    #[test]
    fn only_unknown_names_are_an_error_and_no_warning() {
        let mut warnings = Warnings::new();
        let choice = ToolChoice::ToolOrOutput(vec!["get_tides".into()]);
        let resolved = resolve_tool_choice(Some(&choice), &parameters(), &mut warnings);
        let error = resolved.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("unknown tools"), "{error}");
        assert!(warnings.is_empty());
    }

    #[test]
    fn known_names_resolve_without_warnings() {
        let mut warnings = Warnings::new();
        let choice = ToolChoice::Tools(vec!["get_time".into()]);
        let resolved = resolve_tool_choice(Some(&choice), &parameters(), &mut warnings);
        assert!(resolved.is_ok());
        assert!(warnings.is_empty());
    }
}
