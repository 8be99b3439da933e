//! [`VendorId`]: how a provider names a part across chunks, and the map from those names to
//! part indexes.

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

/// An owned [`VendorId`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum OwnedId {
    Index(u64),
    Key(Box<str>),
}

impl OwnedId {
    fn is(&self, id: VendorId<'_>) -> bool {
        match (self, id) {
            (OwnedId::Index(a), VendorId::Index(b)) => *a == b,
            (OwnedId::Key(a), VendorId::Key(b)) => **a == *b,
            _ => false,
        }
    }
}

/// Vendor ids to part indexes. A response has a handful of parts, so a linear scan (newest
/// first, where the next delta most often goes) beats hashing the id on every delta.
#[derive(Debug, Default)]
pub(super) struct VendorMap {
    entries: Vec<(OwnedId, usize)>,
}

impl VendorMap {
    fn position(&self, id: VendorId<'_>) -> Option<usize> {
        self.entries.iter().rposition(|(owned, _)| owned.is(id))
    }

    /// The part index `id` names.
    pub(super) fn get(&self, id: VendorId<'_>) -> Option<usize> {
        self.position(id).map(|at| self.entries[at].1)
    }

    /// Makes `id` name part `index`.
    pub(super) fn insert(&mut self, id: VendorId<'_>, index: usize) {
        match self.position(id) {
            Some(at) => self.entries[at].1 = index,
            None => {
                let owned = match id {
                    VendorId::Index(i) => OwnedId::Index(i),
                    VendorId::Key(k) => OwnedId::Key(k.into()),
                };
                // Room for one entry at first, not the four a first push reserves: an open
                // stream holds the map, and most responses have one part.
                if self.entries.capacity() == 0 {
                    self.entries.reserve_exact(1);
                }
                self.entries.push((owned, index));
            }
        }
    }

    /// Forgets `id`.
    pub(super) fn remove(&mut self, id: VendorId<'_>) {
        if let Some(at) = self.position(id) {
            self.entries.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_map_keeps_indexes_and_keys_apart() {
        let mut map = VendorMap::default();
        map.insert(VendorId::Index(1), 0);
        map.insert(VendorId::Key("1"), 1);
        map.insert(VendorId::Key("a"), 2);
        assert_eq!(map.get(VendorId::Index(1)), Some(0));
        assert_eq!(map.get(VendorId::Key("1")), Some(1));
        assert_eq!(map.get(VendorId::Index(2)), None);
        map.insert(VendorId::Index(1), 5);
        assert_eq!(map.get(VendorId::Index(1)), Some(5));
        assert_eq!(map.entries.len(), 3);
        map.remove(VendorId::Key("1"));
        assert_eq!(map.get(VendorId::Key("1")), None);
        assert_eq!(map.get(VendorId::Key("a")), Some(2));
        map.remove(VendorId::Key("missing"));
        assert_eq!(map.entries.len(), 2);
    }
}
