//! The tools a provider runs on its own side (pydantic-ai's `builtin_tools`, 2.x
//! `native_tools`): [`BuiltinTool`] and one struct per tool with pydantic-ai's fields, defaults
//! and JSON (`kind` tags `web_search`, `code_execution`, …).
//!
//! A request lists them in
//! [`ModelRequestParameters::builtin_tools`](super::ModelRequestParameters::builtin_tools); each
//! protocol maps those it has to its API and answers the others with an
//! [`Error::User`](crate::Error::User) naming the tool and the provider (or, for a tool marked
//! `optional`, leaves it out with a warning). Their calls and results come back as
//! [`BuiltinToolCallPart`](crate::messages::BuiltinToolCallPart) and
//! [`BuiltinToolReturnPart`](crate::messages::BuiltinToolReturnPart).
//!
//! ```
//! use llm_runtime::models::{BuiltinTool, ModelRequestParameters, WebSearchTool};
//! let parameters = ModelRequestParameters {
//!     builtin_tools: vec![WebSearchTool { max_uses: Some(3), ..Default::default() }.into()],
//!     ..Default::default()
//! };
//! let json = serde_json::to_value(&parameters.builtin_tools[0])?;
//! assert_eq!(json["kind"], "web_search");
//! assert_eq!(json["search_context_size"], "medium");
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::messages::serde_util::opt_timestamp;

/// A tool the provider runs itself, tagged by `kind` in JSON as pydantic-ai tags it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum BuiltinTool {
    /// Web search (`web_search`).
    #[serde(rename = "web_search")]
    WebSearch(WebSearchTool),
    /// Search of X posts (`x_search`).
    #[serde(rename = "x_search")]
    XSearch(XSearchTool),
    /// Code execution in the provider's sandbox (`code_execution`).
    #[serde(rename = "code_execution")]
    CodeExecution(CodeExecutionTool),
    /// Fetching URLs (`web_fetch`; pydantic-ai V1's `UrlContextTool`, `url_context`).
    #[serde(rename = "web_fetch", alias = "url_context")]
    WebFetch(WebFetchTool),
    /// Image generation (`image_generation`).
    #[serde(rename = "image_generation")]
    ImageGeneration(ImageGenerationTool),
    /// Anthropic's memory tool (`memory`).
    #[serde(rename = "memory")]
    Memory(MemoryTool),
    /// A remote MCP server the provider calls (`mcp_server`).
    #[serde(rename = "mcp_server")]
    MCPServer(MCPServerTool),
    /// Search of uploaded files (`file_search`).
    #[serde(rename = "file_search")]
    FileSearch(FileSearchTool),
    /// A stronger model consulted mid-generation (`advisor`).
    #[serde(rename = "advisor")]
    Advisor(AdvisorTool),
}

impl BuiltinTool {
    /// The `kind` tag (`web_search`, `mcp_server`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            BuiltinTool::WebSearch(_) => "web_search",
            BuiltinTool::XSearch(_) => "x_search",
            BuiltinTool::CodeExecution(_) => "code_execution",
            BuiltinTool::WebFetch(_) => "web_fetch",
            BuiltinTool::ImageGeneration(_) => "image_generation",
            BuiltinTool::Memory(_) => "memory",
            BuiltinTool::MCPServer(_) => "mcp_server",
            BuiltinTool::FileSearch(_) => "file_search",
            BuiltinTool::Advisor(_) => "advisor",
        }
    }

    /// The tool's type name as pydantic-ai's (`WebSearchTool`, `MCPServerTool`, …), for errors.
    pub fn type_name(&self) -> &'static str {
        match self {
            BuiltinTool::WebSearch(_) => "WebSearchTool",
            BuiltinTool::XSearch(_) => "XSearchTool",
            BuiltinTool::CodeExecution(_) => "CodeExecutionTool",
            BuiltinTool::WebFetch(_) => "WebFetchTool",
            BuiltinTool::ImageGeneration(_) => "ImageGenerationTool",
            BuiltinTool::Memory(_) => "MemoryTool",
            BuiltinTool::MCPServer(_) => "MCPServerTool",
            BuiltinTool::FileSearch(_) => "FileSearchTool",
            BuiltinTool::Advisor(_) => "AdvisorTool",
        }
    }

    /// What tells two tools of a request apart: the kind, and for an MCP server
    /// `mcp_server:<id>` (pydantic-ai's `unique_id`).
    pub fn unique_id(&self) -> String {
        match self {
            BuiltinTool::MCPServer(server) => format!("mcp_server:{}", server.id),
            other => other.kind().to_owned(),
        }
    }

    /// Whether the tool is a best-effort upgrade: on a model without it, it is left out
    /// (with a warning) instead of failing the request.
    pub fn optional(&self) -> bool {
        match self {
            BuiltinTool::WebSearch(t) => t.optional,
            BuiltinTool::XSearch(t) => t.optional,
            BuiltinTool::CodeExecution(t) => t.optional,
            BuiltinTool::WebFetch(t) => t.optional,
            BuiltinTool::ImageGeneration(t) => t.optional,
            BuiltinTool::Memory(t) => t.optional,
            BuiltinTool::MCPServer(t) => t.optional,
            BuiltinTool::FileSearch(t) => t.optional,
            BuiltinTool::Advisor(t) => t.optional,
        }
    }
}

/// How much of the web a search puts in the model's context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchContextSize {
    /// Little.
    Low,
    /// The default.
    #[default]
    Medium,
    /// Much.
    High,
}

/// Where the user is, to localize search results; every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebSearchUserLocation {
    /// The city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The country (a two-letter ISO code for OpenAI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The region or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// Web search (Anthropic, OpenAI Responses, Gemini, Chat search models, Groq, OpenRouter).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WebSearchTool {
    /// Leave the tool out on a model without it instead of failing.
    pub optional: bool,
    /// How much context the search retrieves (OpenAI).
    pub search_context_size: SearchContextSize,
    /// Localize results (Anthropic, OpenAI).
    pub user_location: Option<WebSearchUserLocation>,
    /// Domains never in results (Anthropic).
    pub blocked_domains: Option<Vec<String>>,
    /// Only these domains (Anthropic, OpenAI Responses).
    pub allowed_domains: Option<Vec<String>>,
    /// At most this many searches (Anthropic).
    pub max_uses: Option<u32>,
    /// Whether live web content may be fetched (OpenAI Responses).
    pub external_web_access: Option<bool>,
}

/// Search of X posts (xAI).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct XSearchTool {
    /// Leave the tool out on a model without it instead of failing.
    pub optional: bool,
    /// Only posts of these handles (at most 20).
    pub allowed_x_handles: Option<Vec<String>>,
    /// No posts of these handles (at most 20).
    pub excluded_x_handles: Option<Vec<String>>,
    /// Posts from this time on.
    #[serde(with = "opt_timestamp")]
    pub from_date: Option<DateTime<Utc>>,
    /// Posts until this time.
    #[serde(with = "opt_timestamp")]
    pub to_date: Option<DateTime<Utc>>,
    /// Analyse images of posts.
    pub enable_image_understanding: bool,
    /// Analyse videos of posts.
    pub enable_video_understanding: bool,
    /// Return the raw results as a built-in tool return.
    pub include_output: bool,
}

/// Code execution in the provider's sandbox (Anthropic, OpenAI Responses, Gemini).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeExecutionTool {
    /// Leave the tool out on a model without it instead of failing.
    pub optional: bool,
    /// Uploaded files for the sandbox, as pydantic-ai's `UploadedFile` JSON.
    pub files: Option<Vec<Value>>,
}

/// Fetching the content of URLs (Anthropic web fetch, Gemini URL context).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WebFetchTool {
    /// Leave the tool out on a model without it instead of failing.
    pub optional: bool,
    /// At most this many fetches (Anthropic).
    pub max_uses: Option<u32>,
    /// Only these domains (Anthropic).
    pub allowed_domains: Option<Vec<String>>,
    /// Never these domains (Anthropic).
    pub blocked_domains: Option<Vec<String>>,
    /// Cite the fetched content (Anthropic).
    pub enable_citations: bool,
    /// At most this many tokens of fetched content (Anthropic).
    pub max_content_tokens: Option<u32>,
}

/// pydantic-ai V1's name of [`WebFetchTool`].
pub type UrlContextTool = WebFetchTool;

/// Whether to generate a new image or edit one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageAction {
    /// A new image.
    Generate,
    /// An edit of an image of the conversation.
    Edit,
    /// The model decides (the default).
    #[default]
    Auto,
}

/// The background of a generated image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageBackground {
    /// Transparent (png and webp only).
    Transparent,
    /// Opaque.
    Opaque,
    /// The model decides (the default).
    #[default]
    Auto,
}

/// A level of effort or strictness: `low` or `high`, or the provider's `auto`/`medium`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageLevel {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// The provider decides (the default).
    #[default]
    Auto,
}

/// The file format of a generated image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// WebP.
    Webp,
    /// JPEG.
    Jpeg,
}

impl ImageFormat {
    /// The format's name, as the APIs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Webp => "webp",
            ImageFormat::Jpeg => "jpeg",
        }
    }
}

/// Image generation (OpenAI Responses; Gemini image models).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageGenerationTool {
    /// Leave the tool out on a model without it instead of failing.
    pub optional: bool,
    /// Generate or edit.
    pub action: ImageAction,
    /// The background.
    pub background: ImageBackground,
    /// How closely to keep the features of input images (`high` or `low`).
    pub input_fidelity: Option<ImageLevel>,
    /// The moderation level (`auto` or `low`).
    pub moderation: ImageLevel,
    /// The image model (`gpt-image-1`, …).
    pub model: Option<String>,
    /// Compression, 0 to 100 (jpeg and webp).
    pub output_compression: Option<u8>,
    /// The file format.
    pub output_format: Option<ImageFormat>,
    /// Partial images to stream, 0 to 3.
    pub partial_images: u8,
    /// The quality (`low`, `medium`, `high`, `auto`).
    pub quality: ImageLevel,
    /// The size: `auto`, `1024x1024`, `1024x1536`, `1536x1024` (OpenAI); `512`, `1K`, `2K`,
    /// `4K` (Gemini).
    pub size: Option<String>,
    /// The aspect ratio, e.g. `16:9`.
    pub aspect_ratio: Option<String>,
}

/// Anthropic's memory tool.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryTool {
    /// Leave the tool out on a model without it instead of failing.
    pub optional: bool,
}

/// A remote MCP server the provider calls (OpenAI Responses, Anthropic's MCP connector).
///
/// `Debug` hides the authorization token and the header values.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MCPServerTool {
    /// Leave the tool out on a model without it instead of failing.
    #[serde(default)]
    pub optional: bool,
    /// The server's label; its tools' calls are named `mcp_server:<id>`.
    pub id: String,
    /// The server's URL (OpenAI: `x-openai-connector:<connector_id>` for a connector).
    pub url: String,
    /// The token sent as the server's `Authorization`.
    #[serde(default)]
    pub authorization_token: Option<String>,
    /// What the server does (OpenAI).
    #[serde(default)]
    pub description: Option<String>,
    /// Only these of its tools.
    #[serde(default)]
    pub allowed_tools: Option<Vec<String>>,
    /// HTTP headers for the server (OpenAI).
    #[serde(default)]
    pub headers: Option<BTreeMap<String, String>>,
}

impl fmt::Debug for MCPServerTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MCPServerTool")
            .field("optional", &self.optional)
            .field("id", &self.id)
            .field("url", &self.url)
            .field(
                "authorization_token",
                &self.authorization_token.as_ref().map(|_| "<redacted>"),
            )
            .field("description", &self.description)
            .field("allowed_tools", &self.allowed_tools)
            .field(
                "headers",
                &self
                    .headers
                    .as_ref()
                    .map(|h| h.keys().map(|k| (k, "<redacted>")).collect::<Vec<_>>()),
            )
            .finish()
    }
}

/// Vector search of uploaded files (OpenAI Responses, Gemini).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FileSearchTool {
    /// Leave the tool out on a model without it instead of failing.
    #[serde(default)]
    pub optional: bool,
    /// The vector stores (OpenAI) or file search stores (Gemini) to search.
    pub file_store_ids: Vec<String>,
    /// At most this many results.
    #[serde(default)]
    pub max_num_results: Option<u32>,
    /// How to interpret and rank the results (xAI).
    #[serde(default)]
    pub instructions: Option<String>,
    /// `hybrid`, `semantic` or `keyword` (xAI).
    #[serde(default)]
    pub retrieval_mode: Option<String>,
}

/// A stronger model the executing model consults mid-generation (Anthropic).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AdvisorTool {
    /// Leave the tool out on a model without it instead of failing.
    #[serde(default)]
    pub optional: bool,
    /// The advisor model, e.g. `claude-opus-4-6`.
    pub model: String,
    /// At most this many consultations per request.
    #[serde(default)]
    pub max_uses: Option<u32>,
    /// The advisor's output tokens (at least 1024).
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Cache the advisor's context for `5m` or `1h`.
    #[serde(default)]
    pub caching: Option<String>,
}

macro_rules! into_builtin_tool {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for BuiltinTool {
            fn from(tool: $ty) -> Self {
                BuiltinTool::$variant(tool)
            }
        }
    )*};
}

into_builtin_tool!(
    WebSearch(WebSearchTool),
    XSearch(XSearchTool),
    CodeExecution(CodeExecutionTool),
    WebFetch(WebFetchTool),
    ImageGeneration(ImageGenerationTool),
    Memory(MemoryTool),
    MCPServer(MCPServerTool),
    FileSearch(FileSearchTool),
    Advisor(AdvisorTool),
);

#[cfg(test)]
mod tests;
