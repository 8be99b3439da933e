//! `name`, `description`, `strict` and `crate` options.
#![deny(warnings)]

use llm_runtime::tools::Tool;

mod sdk {
    pub use llm_runtime as inner;
}

/// Ignored: `description` wins.
#[llm_runtime::tool(name = "get-weather", description = "Gets the weather.", strict, crate = "crate::sdk::inner")]
struct Weather {
    city: String,
}

#[llm_runtime::tool(strict = false)]
struct Undocumented {}

fn main() {
    let def = Weather::definition();
    assert_eq!(def.name, "get-weather");
    assert_eq!(def.description.as_deref(), Some("Gets the weather."));
    assert_eq!(def.strict, Some(true));
    let def = Undocumented::definition();
    assert_eq!(def.name, "undocumented");
    assert_eq!(def.description, None);
    assert_eq!(def.strict, Some(false));
    let _ = |w: Weather| w.city;
}
