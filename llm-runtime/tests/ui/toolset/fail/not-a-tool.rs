use llm_runtime::toolset;

struct Divide {
    numerator: f64,
}

#[toolset]
enum Calc {
    Divide(Divide),
}

fn main() {
    let _ = Calc::definitions();
}
