use llm_runtime::tool;

/// Sums numbers.
#[tool]
struct Sum<T> {
    items: Vec<T>,
}

/// Borrowed arguments cannot outlive the call.
#[tool]
struct Greet<'a> {
    name: &'a str,
}

fn main() {}
