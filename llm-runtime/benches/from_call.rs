//! `from_call` on a 10-field tool: what parsing a model's tool call costs.
//!
//! `cargo bench -p llm-runtime --bench from_call`. Baselines: plain `serde_json` deserializing
//! the same text (no coercion, no error collection) and `definition()`.

use divan::black_box;
use llm_runtime::messages::{ToolArgs, ToolCallPart};
use llm_runtime::tool;
use llm_runtime::tools::Tool;

fn main() {
    divan::main();
}

/// Books a table.
#[tool]
#[derive(Debug)]
#[allow(dead_code)]
struct BookTable {
    /// The restaurant's name.
    restaurant: String,
    /// The guest's name.
    name: String,
    party_size: u32,
    /// Unix time of the booking.
    time: i64,
    /// The budget per person.
    budget: f64,
    outdoor: bool,
    notes: Option<String>,
    allergies: Vec<String>,
    seating: Seating,
    high_chairs: Option<u8>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Seating {
    Table,
    Booth,
    Bar,
}

const EXACT: &str = r#"{"restaurant": "Chez Panisse", "name": "Ada Lovelace", "party_size": 4,
"time": 1767225600, "budget": 85.5, "outdoor": true, "notes": "anniversary",
"allergies": ["peanuts", "shellfish"], "seating": "booth", "high_chairs": 1}"#;

/// The same arguments as a sloppy model writes them: numbers and booleans as strings, a
/// float for an integer, the list as a JSON string.
const SLOPPY: &str = r#"{"restaurant": "Chez Panisse", "name": "Ada Lovelace", "party_size": "4",
"time": 1767225600.0, "budget": "85.5", "outdoor": "yes", "notes": "anniversary",
"allergies": "[\"peanuts\", \"shellfish\"]", "seating": "booth", "high_chairs": "1"}"#;

fn call(args: &str) -> ToolCallPart {
    ToolCallPart::new("book_table", args, "call_1")
}

#[divan::bench]
fn from_call_json_text(bencher: divan::Bencher) {
    let call = call(EXACT);
    bencher.bench_local(|| BookTable::from_call(black_box(&call)));
}

#[divan::bench]
fn from_call_json_object(bencher: divan::Bencher) {
    let mut call = call("");
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(EXACT) {
        call.args = Some(ToolArgs::Object(map));
    }
    bencher.bench_local(|| BookTable::from_call(black_box(&call)));
}

#[divan::bench]
fn from_call_coercing(bencher: divan::Bencher) {
    let call = call(SLOPPY);
    bencher.bench_local(|| BookTable::from_call(black_box(&call)));
}

#[divan::bench]
fn from_call_invalid(bencher: divan::Bencher) {
    let call = call(r#"{"restaurant": 1, "party_size": "many", "seating": "floor"}"#);
    bencher.bench_local(|| BookTable::from_call(black_box(&call)));
}

#[divan::bench]
fn baseline_serde_json_from_str(bencher: divan::Bencher) {
    bencher.bench_local(|| serde_json::from_str::<BookTable>(black_box(EXACT)));
}

#[divan::bench]
fn definition(bencher: divan::Bencher) {
    bencher.bench_local(BookTable::definition);
}

#[divan::bench]
fn baseline_serde_json_value(bencher: divan::Bencher) {
    bencher.bench_local(|| serde_json::from_str::<serde_json::Value>(black_box(EXACT)));
}

#[divan::bench]
fn schema_lookup(bencher: divan::Bencher) {
    bencher.bench_local(llm_runtime::tools::schema_for::<BookTable>);
}

#[divan::bench]
fn coerce_only(bencher: divan::Bencher) {
    let value: serde_json::Value = serde_json::from_str(EXACT).unwrap_or_default();
    let schema = llm_runtime::tools::schema_for::<BookTable>();
    bencher
        .with_inputs(|| value.clone())
        .bench_local_values(|v| schema.coerce(black_box(v)));
}
