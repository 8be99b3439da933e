use llm_runtime::tool;

#[derive(schemars::JsonSchema)]
struct Point {
    x: f64,
}

/// Moves to a point.
#[tool]
struct MoveTo {
    target: Point,
}

fn main() {}
