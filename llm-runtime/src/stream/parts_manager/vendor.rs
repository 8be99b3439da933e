//! [`VendorId`]: how a provider names a part across chunks.

/// How a provider identifies a part across chunks: an index (OpenAI's tool-call `index`,
/// Anthropic's content-block `index`) or a string id (OpenAI Responses item ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorId<'a> {
    /// A numeric index.
    Index(u64),
    /// A string id.
    Key(&'a str),
}

impl From<u64> for VendorId<'_> {
    fn from(i: u64) -> Self {
        VendorId::Index(i)
    }
}

impl From<usize> for VendorId<'_> {
    fn from(i: usize) -> Self {
        VendorId::Index(i as u64)
    }
}

impl From<u32> for VendorId<'_> {
    fn from(i: u32) -> Self {
        VendorId::Index(u64::from(i))
    }
}

impl<'a> From<&'a str> for VendorId<'a> {
    fn from(key: &'a str) -> Self {
        VendorId::Key(key)
    }
}
