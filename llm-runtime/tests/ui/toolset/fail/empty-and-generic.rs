use llm_runtime::toolset;

#[toolset]
enum Nothing {}

#[toolset]
enum Any<T> {
    One(T),
}

fn main() {}
