//! serde's attributes work on the derive `#[tool]` adds.
#![deny(warnings)]

use llm_runtime::tool;
use llm_runtime::tools::Tool;

/// Searches.
#[tool]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Search {
    search_term: String,
    #[serde(default, rename = "max")]
    max_results: Option<u32>,
    #[serde(skip)]
    hits: u64,
}

fn main() {
    let schema = Search::definition().parameters_json_schema;
    assert!(schema["properties"].get("searchTerm").is_some());
    assert!(schema["properties"].get("max").is_some());
    assert!(schema["properties"].get("hits").is_none());
    let _ = |s: Search| (s.search_term, s.max_results, s.hits);
}
