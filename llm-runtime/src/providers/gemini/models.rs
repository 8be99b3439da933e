//! What each Gemini model supports, by name: its [`Family`] (image generation, Gemini 3,
//! reasoning, thinking levels, the `VALIDATED` function-calling mode) and the
//! [`ModelProfile`] the protocol gives it.

use crate::models::ModelProfile;

/// What a model supports, by name (pydantic-ai's `google_model_profile`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Family {
    /// An image-generation model (no tools).
    pub(super) image: bool,
    /// Gemini 3 or later: thinking levels, tools beside native output.
    pub(super) gemini_3: bool,
    /// It reasons (Gemini 2.5 and later).
    pub(super) thinking: bool,
    /// It always reasons (the Pro models): thinking cannot be turned off.
    pub(super) always_thinks: bool,
    /// It accepts the `MINIMAL` thinking level.
    pub(super) minimal_level: bool,
    /// It has the `VALIDATED` function-calling mode.
    pub(super) validated_mode: bool,
}

impl Family {
    /// The family of `model` (a bare name, or a `models/…` or `tunedModels/…` one).
    pub(super) fn of(model: &str) -> Family {
        let model = model
            .strip_prefix("models/")
            .or_else(|| model.strip_prefix("tunedModels/"))
            .unwrap_or(model);
        let image = model.contains("image");
        let gemini_3 = model.contains("gemini-3");
        let thinking = model.contains("gemini-2.5") || gemini_3;
        let pro = model.contains("pro") && !model.contains("flash");
        Family {
            image,
            gemini_3,
            thinking,
            always_thinks: thinking && pro,
            minimal_level: ![
                "gemini-3.7-flash",
                "gemini-3-pro-preview",
                "gemini-3.1-pro-preview",
            ]
            .iter()
            .any(|prefix| model.starts_with(prefix)),
            validated_mode: thinking && !image,
        }
    }
}

/// The profile of `model`: no tools for image models, JSON output for the others (and for
/// Gemini 3's image models).
pub(super) fn profile(model: &str) -> ModelProfile {
    let family = Family::of(model);
    ModelProfile {
        supports_tools: !family.image,
        supports_json_schema_output: family.gemini_3 || !family.image,
        supports_json_object_output: family.gemini_3 || !family.image,
        ..ModelProfile::default()
    }
}
