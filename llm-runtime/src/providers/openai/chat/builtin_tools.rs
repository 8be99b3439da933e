//! The built-in tools of a Chat Completions request, as each host takes them (pydantic-ai's
//! `OpenAIChatModel`, `GroqModel` and `OpenRouterModel`):
//!
//! - OpenAI's search models (`gpt-4o-search-preview`, …): [`WebSearchTool`] as
//!   `web_search_options` (context size, approximate user location);
//! - Groq's compound models, which always search: the tool's domain filters as
//!   `search_settings`;
//! - OpenRouter: [`WebSearchTool`] and [`AdvisorTool`] as its server tools
//!   (`openrouter:web_search`, `openrouter:advisor`) after the function tools.
//!
//! Which kinds a host maps for a model is [`OpenAiChat::builtin_tool_kinds`]; the driver
//! refuses the others before anything is sent (an [`Error::User`](crate::Error::User) naming
//! the tool and the provider).

use serde_json::{Map, Value};

use super::wire::{ChatToolParam, SearchSettings, ServerTool, UserLocation, WebSearchOptions};
use super::OpenAiChat;
use crate::models::{AdvisorTool, BuiltinTool, ModelRequestParameters, WebSearchTool};

/// How a host takes built-in tools ([`OpenAiChat::with_builtin_tools`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatBuiltinTools {
    /// OpenAI: web search as `web_search_options`, on the models whose name contains
    /// `-search-preview` (the only Chat models that search).
    SearchModels,
    /// Groq: web search on its compound models (`groq/compound…`, `compound-…`), which search
    /// on their own; the tool's allowed and blocked domains go in `search_settings`.
    GroqCompound,
    /// OpenRouter: web search and the advisor as its server tools in `tools`.
    OpenRouterServerTools,
    /// None.
    None,
}

const WEB_SEARCH: &[&str] = &["web_search"];
const OPENROUTER: &[&str] = &["web_search", "advisor"];

/// What the built-in tools add to a body.
#[derive(Default)]
pub(super) struct BuiltinParams<'a> {
    pub(super) web_search_options: Option<WebSearchOptions<'a>>,
    pub(super) search_settings: Option<SearchSettings<'a>>,
    /// Server tools, sent after the function tools.
    pub(super) tools: Vec<ChatToolParam<'a>>,
}

impl OpenAiChat {
    /// The kinds of built-in tools this host maps for `model_name`.
    pub(super) fn builtin_tool_kinds(&self, model_name: &str) -> &'static [&'static str] {
        match self.builtin_tools {
            ChatBuiltinTools::SearchModels if model_name.contains("-search-preview") => WEB_SEARCH,
            ChatBuiltinTools::GroqCompound
                if model_name.starts_with("compound-")
                    || model_name.starts_with("groq/compound") =>
            {
                WEB_SEARCH
            }
            ChatBuiltinTools::OpenRouterServerTools => OPENROUTER,
            _ => &[],
        }
    }

    /// The body fields of the request's built-in tools (the driver has left only the kinds
    /// [`builtin_tool_kinds`](Self::builtin_tool_kinds) names).
    pub(super) fn builtin_params<'a>(
        &self,
        parameters: &'a ModelRequestParameters,
    ) -> BuiltinParams<'a> {
        let mut params = BuiltinParams::default();
        let web_search = parameters.builtin_tools.iter().find_map(|t| match t {
            BuiltinTool::WebSearch(tool) => Some(tool),
            _ => None,
        });
        let advisor = parameters.builtin_tools.iter().find_map(|t| match t {
            BuiltinTool::Advisor(tool) => Some(tool),
            _ => None,
        });
        match self.builtin_tools {
            ChatBuiltinTools::SearchModels => {
                params.web_search_options = web_search.map(|tool| WebSearchOptions {
                    search_context_size: tool.search_context_size,
                    user_location: tool.user_location.as_ref().map(|location| UserLocation {
                        kind: "approximate",
                        approximate: location,
                    }),
                });
            }
            ChatBuiltinTools::GroqCompound => {
                params.search_settings = web_search
                    .map(|tool| SearchSettings {
                        include_domains: tool.allowed_domains.as_deref().filter(|d| !d.is_empty()),
                        exclude_domains: tool.blocked_domains.as_deref().filter(|d| !d.is_empty()),
                    })
                    .filter(|s| s.include_domains.is_some() || s.exclude_domains.is_some());
            }
            ChatBuiltinTools::OpenRouterServerTools => {
                if let Some(advisor) = advisor {
                    params.tools.push(openrouter_advisor(advisor));
                }
                if let Some(search) = web_search {
                    params.tools.push(openrouter_web_search(search));
                }
            }
            ChatBuiltinTools::None => {}
        }
        params
    }
}

/// `{"type": "openrouter:advisor", "parameters": {model, forward_transcript, max_completion_tokens}}`.
fn openrouter_advisor(tool: &AdvisorTool) -> ChatToolParam<'static> {
    let mut parameters = Map::new();
    parameters.insert("model".into(), Value::String(tool.model.clone()));
    // As pydantic-ai: the conversation is not forwarded to the advisor.
    parameters.insert("forward_transcript".into(), Value::Bool(false));
    if let Some(max_tokens) = tool.max_tokens {
        parameters.insert("max_completion_tokens".into(), Value::from(max_tokens));
    }
    ChatToolParam::Server(ServerTool {
        kind: "openrouter:advisor",
        parameters: Value::Object(parameters),
    })
}

/// `{"type": "openrouter:web_search", "parameters": {search_context_size, user_location,
/// allowed_domains, excluded_domains, max_uses}}`.
fn openrouter_web_search(tool: &WebSearchTool) -> ChatToolParam<'static> {
    let mut parameters = Map::new();
    parameters.insert(
        "search_context_size".into(),
        serde_json::to_value(tool.search_context_size).unwrap_or(Value::Null),
    );
    if let Some(location) = &tool.user_location {
        let mut located = Map::new();
        located.insert("type".into(), Value::from("approximate"));
        if let Ok(Value::Object(fields)) = serde_json::to_value(location) {
            located.extend(fields);
        }
        parameters.insert("user_location".into(), Value::Object(located));
    }
    if let Some(domains) = &tool.allowed_domains {
        parameters.insert("allowed_domains".into(), Value::from(domains.clone()));
    }
    if let Some(domains) = &tool.blocked_domains {
        parameters.insert("excluded_domains".into(), Value::from(domains.clone()));
    }
    if let Some(max_uses) = tool.max_uses {
        parameters.insert("max_uses".into(), Value::from(max_uses));
    }
    ChatToolParam::Server(ServerTool {
        kind: "openrouter:web_search",
        parameters: Value::Object(parameters),
    })
}

#[cfg(test)]
mod tests;
