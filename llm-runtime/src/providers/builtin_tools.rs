//! The rule every protocol shares for built-in tools
//! ([`ModelRequestParameters::builtin_tools`]): a protocol declares the kinds it maps
//! ([`Protocol::supported_builtin_tools`](super::Protocol::supported_builtin_tools)); a
//! request with another one fails with an [`Error::User`] naming the tool, the provider and
//! what it supports, unless the tool is `optional`, which is then left out with a warning.

use crate::error::{Error, Result};
use crate::models::{BuiltinTool, ModelRequestParameters};
use crate::warning::{Warning, Warnings};

/// The parameters with only the built-in tools `supported` lists; `None` when they all are.
///
/// # Errors
/// [`Error::User`] naming the first tool that is neither supported nor `optional`, `provider`
/// and the supported tools.
pub(crate) fn keep_supported(
    parameters: &ModelRequestParameters,
    supported: &[&str],
    provider: &str,
    model: &str,
    warnings: &mut Warnings,
) -> Result<Option<ModelRequestParameters>> {
    let is_supported = |tool: &BuiltinTool| supported.contains(&tool.kind());
    if parameters.builtin_tools.iter().all(is_supported) {
        return Ok(None);
    }
    let mut kept = parameters.clone();
    kept.builtin_tools.clear();
    for tool in &parameters.builtin_tools {
        if is_supported(tool) {
            kept.builtin_tools.push(tool.clone());
        } else if tool.optional() {
            warnings.push(Warning::unsupported_setting(
                "builtin_tools",
                format!(
                    "`{}` is not supported by `{provider}` for `{model}`; it is optional, so it \
                     is left out",
                    tool.type_name()
                ),
            ));
        } else {
            return Err(unsupported(tool, provider, model, supported));
        }
    }
    Ok(Some(kept))
}

/// The error for a built-in tool `provider` does not have (for `model`).
pub(crate) fn unsupported(
    tool: &BuiltinTool,
    provider: &str,
    model: &str,
    supported: &[&str],
) -> Error {
    let supported = if supported.is_empty() {
        "none".to_owned()
    } else {
        supported
            .iter()
            .map(|kind| format!("`{kind}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Error::user(format!(
        "the built-in tool `{}` (`{}`) is not supported by `{provider}` for `{model}` \
         (supported: {supported}); remove it, or set `optional: true` to leave it out where it \
         is not supported",
        tool.type_name(),
        tool.kind()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{CodeExecutionTool, WebFetchTool, WebSearchTool};

    fn parameters(tools: Vec<BuiltinTool>) -> ModelRequestParameters {
        ModelRequestParameters {
            builtin_tools: tools,
            ..Default::default()
        }
    }

    #[test]
    fn unsupported_tools_fail_unless_optional() {
        let mut warnings = Warnings::new();
        let all = parameters(vec![WebSearchTool::default().into()]);
        let kept = keep_supported(&all, &["web_search"], "p", "m", &mut warnings).unwrap();
        assert_eq!(kept, None);

        let mixed = parameters(vec![
            WebSearchTool::default().into(),
            WebFetchTool {
                optional: true,
                ..Default::default()
            }
            .into(),
        ]);
        let kept = keep_supported(&mixed, &["web_search"], "p", "m", &mut warnings)
            .unwrap()
            .unwrap();
        assert_eq!(kept.builtin_tools, vec![WebSearchTool::default().into()]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings.as_slice()[0].message().contains("WebFetchTool"));

        let hard = parameters(vec![CodeExecutionTool::default().into()]);
        let err = keep_supported(&hard, &[], "cohere", "command-a", &mut warnings).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::User { .. }), "{err:?}");
        assert!(text.contains("CodeExecutionTool"), "{text}");
        assert!(text.contains("`cohere`"), "{text}");
        assert!(text.contains("supported: none"), "{text}");
    }
}
