use crate::providers::gemini::Gemini;
use crate::providers::Protocol;

#[test]
fn endpoints_name_the_model_and_stream_as_sse() {
    let gemini = Gemini::new();
    assert_eq!(
        gemini.endpoint("gemini-2.0-flash", false),
        "models/gemini-2.0-flash:generateContent"
    );
    assert_eq!(
        gemini.endpoint("models/gemini-2.0-flash", true),
        "models/gemini-2.0-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(
        gemini.endpoint("tunedModels/my model", false),
        "tunedModels/my%20model:generateContent"
    );
}
