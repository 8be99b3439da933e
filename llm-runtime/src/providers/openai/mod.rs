//! OpenAI's two wire protocols and the hosts that speak them.
//!
//! - [`chat`]: the Chat Completions protocol ([`OpenAiChat`](chat::OpenAiChat),
//!   `POST /chat/completions`), spoken by OpenAI and by most OpenAI-compatible hosts;
//! - [`compatible`]: those hosts (OpenAI, Groq, DeepSeek, OpenRouter, Ollama, …), one
//!   `#[provider]` item each;
//! - [`responses`]: the Responses API ([`OpenAiResponses`](responses::OpenAiResponses),
//!   `POST /responses`).
//!
//! What both APIs share (model rules, log probabilities, timestamps, tool-call arguments) is in
//! a private `shared` module: neither API imports from the other.

pub mod chat;
pub mod compatible;
pub mod responses;
mod shared;
