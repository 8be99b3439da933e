//! Derives the user wrote below `#[tool]` are kept, not added twice.
#![deny(warnings)]

use llm_runtime::tool;
use llm_runtime::tools::Tool;
use schemars::JsonSchema;
use serde::Deserialize;

/// Both derives written below the attribute.
#[tool]
#[derive(Debug, Deserialize, JsonSchema)]
struct Below {
    a: u8,
}

/// One derive written below the attribute, the other added.
#[tool]
#[derive(Debug, serde::Deserialize)]
struct Half {
    a: u8,
}

fn main() {

    println!("{:?}", Below::definition());
    println!("{:?}", Half::definition());
    let _ = |b: Below, h: Half| (b.a, h.a);
}
