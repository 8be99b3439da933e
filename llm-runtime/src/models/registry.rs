//! Model strings: `"provider:model"` to a [`Model`].
//!
//! Providers register their prefixes at compile time with [`inventory`] (what
//! `#[provider]` expands to, also in a user's crate), or at run time with
//! [`register_provider`].

use std::sync::{Arc, RwLock};

use super::{Model, TestModel};
use crate::error::{Error, Result};

/// A provider's model-string prefixes and how to build one of its models.
///
/// Submitted with `inventory::submit!` by `#[provider]`; listed by
/// [`known_providers`] and used by [`infer_model`].
#[derive(Debug, Clone, Copy)]
pub struct ProviderRegistration {
    /// The prefix before the colon, e.g. `openai`.
    pub prefix: &'static str,
    /// Other prefixes for the same provider, e.g. `openai-chat`.
    pub aliases: &'static [&'static str],
    /// Builds a model of this provider from the part after the colon, reading the
    /// environment for keys and base URLs.
    pub build: fn(model_name: &str) -> Result<Arc<dyn Model>>,
}

inventory::collect!(ProviderRegistration);

inventory::submit! {
    ProviderRegistration { prefix: "test", aliases: &[], build: build_test_model }
}

fn build_test_model(model_name: &str) -> Result<Arc<dyn Model>> {
    Ok(Arc::new(TestModel::new().with_model_name(model_name)))
}

static RUNTIME_REGISTRATIONS: RwLock<Vec<ProviderRegistration>> = RwLock::new(Vec::new());

/// Registers a provider prefix at run time. A prefix registered here takes precedence over a
/// compile-time registration of the same prefix.
///
/// ```
/// use std::sync::Arc;
/// use llm_runtime::models::{infer_model, register_provider, Model, TestModel};
///
/// register_provider("canned", &[], |name| {
///     Ok(Arc::new(TestModel::new().with_model_name(name)) as Arc<dyn Model>)
/// });
/// assert_eq!(infer_model("canned:v1")?.model_name(), "v1");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn register_provider(
    prefix: &'static str,
    aliases: &'static [&'static str],
    build: fn(&str) -> Result<Arc<dyn Model>>,
) {
    let mut registrations = RUNTIME_REGISTRATIONS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    registrations.retain(|r| r.prefix != prefix);
    registrations.push(ProviderRegistration {
        prefix,
        aliases,
        build,
    });
}

fn registrations() -> Vec<ProviderRegistration> {
    let runtime = RUNTIME_REGISTRATIONS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    runtime
        .iter()
        .copied()
        .chain(inventory::iter::<ProviderRegistration>.into_iter().copied())
        .collect()
}

/// Every known provider prefix and alias, sorted.
pub fn known_providers() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = registrations()
        .iter()
        .flat_map(|r| std::iter::once(r.prefix).chain(r.aliases.iter().copied()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Resolves a model string: `"test"`, or `"<provider>:<model>"` such as
/// `"openai:gpt-4.1-nano"`.
///
/// # Errors
/// [`Error::User`] when the provider is unknown (the message lists the known ones and
/// suggests the closest), when the string has no provider, or when the provider is not
/// configured (e.g. its API key is missing).
///
/// ```
/// use llm_runtime::models::infer_model;
/// assert_eq!(infer_model("test")?.model_name(), "test");
/// let err = infer_model("tset:x").unwrap_err().to_string();
/// assert!(err.contains("did you mean `test`?"), "{err}");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn infer_model(model: &str) -> Result<Arc<dyn Model>> {
    if model == "test" {
        return build_test_model("test");
    }
    let Some((prefix, name)) = model.split_once(':') else {
        return Err(no_prefix_error(model));
    };
    if name.is_empty() {
        return Err(Error::user(format!(
            "model string `{model}` names no model after `{prefix}:`"
        )));
    }
    let registrations = registrations();
    let found = registrations
        .iter()
        .find(|r| r.prefix == prefix || r.aliases.contains(&prefix));
    match found {
        Some(registration) => (registration.build)(name),
        None => Err(match family_feature(prefix) {
            Some(feature) => Error::user(format!(
                "model provider `{prefix}` in `{model}` is not compiled in: turn on llm-runtime's \
                 cargo feature `{feature}`"
            )),
            None => unknown_provider_error(model, prefix),
        }),
    }
}

/// The cargo feature of each built-in provider family and the prefixes it registers.
const FAMILIES: &[(&str, &[&str])] = &[
    (
        "openai",
        &[
            "openai",
            "openai-chat",
            "openai-responses",
            "openai-compatible",
            "azure",
            "groq",
            "mistral",
            "deepseek",
            "openrouter",
            "ollama",
            "xai",
            "grok",
            "together",
            "fireworks",
            "cerebras",
            "github",
            "huggingface",
            "moonshotai",
            "litellm",
        ],
    ),
    ("anthropic", &["anthropic"]),
    ("google", &["google-gla", "google"]),
    ("vertex", &["google-vertex"]),
    ("bedrock", &["bedrock"]),
    ("cohere", &["cohere"]),
];

/// The cargo feature that brings the built-in provider `prefix`, if it is one.
fn family_feature(prefix: &str) -> Option<&'static str> {
    FAMILIES
        .iter()
        .find(|(_, prefixes)| prefixes.contains(&prefix))
        .map(|(feature, _)| *feature)
}

fn unknown_provider_error(model: &str, prefix: &str) -> Error {
    let known = known_providers();
    let suggestion = closest(prefix, &known)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default();
    Error::user(format!(
        "unknown model provider `{prefix}` in `{model}`: known providers are {}{suggestion}",
        known.join(", ")
    ))
}

fn no_prefix_error(model: &str) -> Error {
    let guess = if model.starts_with("gpt")
        || model.starts_with('o') && model[1..].starts_with(char::is_numeric)
    {
        Some("openai")
    } else if model.starts_with("claude") {
        Some("anthropic")
    } else if model.starts_with("gemini") {
        Some("google-gla")
    } else if model.starts_with("command") {
        Some("cohere")
    } else {
        None
    };
    let example = format!("{}:{model}", guess.unwrap_or("openai"));
    let hint = if guess.is_some() {
        format!("did you mean `{example}`?")
    } else {
        format!("for example `{example}`")
    };
    Error::user(format!(
        "model string `{model}` has no provider: write it as `<provider>:<model>`, {hint}"
    ))
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a typo.
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("opena", "openai"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("tets", &["test", "anthropic"]), Some("test"));
        assert_eq!(closest("zzzzzz", &["test", "anthropic"]), None);
    }

    #[test]
    fn unknown_provider_lists_known_and_suggests() {
        let err = infer_model("tst:foo").unwrap_err();
        let Error::User { message } = &err else {
            panic!("{err:?}")
        };
        assert!(
            message.starts_with("unknown model provider `tst` in `tst:foo`: known providers are ")
        );
        assert!(message.contains("test"));
        assert!(message.ends_with("did you mean `test`?"), "{message}");
    }

    #[test]
    fn missing_prefix_is_explained() {
        let err = infer_model("gpt-4o").unwrap_err().to_string();
        assert_eq!(
            err,
            "model string `gpt-4o` has no provider: write it as `<provider>:<model>`, did you mean `openai:gpt-4o`?"
        );
        let err = infer_model("command-a-03-2025").unwrap_err().to_string();
        assert!(
            err.ends_with("did you mean `cohere:command-a-03-2025`?"),
            "{err}"
        );
        let err = infer_model("mystery").unwrap_err().to_string();
        assert!(err.ends_with("for example `openai:mystery`"), "{err}");
        assert!(infer_model("test:").is_err());
    }

    /// Every prefix of the family table is registered when its feature is on, and names its
    /// feature when it is off; with all families on, the table lists every built-in prefix.
    #[test]
    fn a_family_left_out_names_its_feature() {
        let registered = known_providers();
        for (feature, prefixes) in FAMILIES {
            let enabled = match *feature {
                "openai" => cfg!(feature = "openai"),
                "anthropic" => cfg!(feature = "anthropic"),
                "google" => cfg!(feature = "google"),
                "vertex" => cfg!(feature = "vertex"),
                "bedrock" => cfg!(feature = "bedrock"),
                "cohere" => cfg!(feature = "cohere"),
                other => panic!("no cfg for feature `{other}`"),
            };
            for prefix in *prefixes {
                assert_eq!(registered.contains(prefix), enabled, "{prefix}");
                if !enabled {
                    let err = infer_model(&format!("{prefix}:m")).unwrap_err().to_string();
                    assert_eq!(
                        err,
                        format!(
                            "model provider `{prefix}` in `{prefix}:m` is not compiled in: turn \
                             on llm-runtime's cargo feature `{feature}`"
                        )
                    );
                }
            }
        }
        let all_on = cfg!(all(
            feature = "openai",
            feature = "anthropic",
            feature = "google",
            feature = "vertex",
            feature = "bedrock",
            feature = "cohere"
        ));
        if all_on {
            let in_table: Vec<&str> = FAMILIES
                .iter()
                .flat_map(|(_, p)| p.iter().copied())
                .collect();
            // The prefixes of this module's own models, in every build.
            let always = ["test", "fallback"];
            for prefix in registered.iter().filter(|p| !always.contains(p)) {
                assert!(
                    in_table.contains(prefix),
                    "`{prefix}` missing from FAMILIES"
                );
            }
        }
    }

    #[test]
    fn test_prefix_names_the_model() {
        assert_eq!(infer_model("test:custom").unwrap().model_name(), "custom");
    }
}
