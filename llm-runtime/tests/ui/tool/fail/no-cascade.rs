//! A struct with a mistake still has a `Tool` impl: its uses raise no further errors.
use llm_runtime::messages::ToolCallPart;
use llm_runtime::tool;
use llm_runtime::tools::Tool;

#[tool(description = 3)]
struct Divide {
    numerator: f64,
}

fn main() {
    let _ = Divide::definition();
    let _: Result<Divide, _> = ToolCallPart::new("divide", "{}", "c").parse_args();
}
