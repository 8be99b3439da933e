//! A seeded xorshift generator for the framing decoders' split and fuzz-like tests
//! (`sse`, `jsonl`, `eventstream`): the same inputs and cuts on every run.

/// xorshift64: repeatable pseudo-random numbers from a nonzero seed.
pub(crate) struct XorShift(u64);

impl XorShift {
    pub(crate) fn new(seed: u64) -> Self {
        XorShift(seed)
    }

    /// The next number.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `len` (`len > 0`).
    pub(crate) fn below(&mut self, len: usize) -> usize {
        usize::try_from(self.next() % len as u64).unwrap_or(0)
    }

    /// `input` cut into consecutive chunks, each under `bound` bytes (empty ones included).
    pub(crate) fn chunks<'a>(&mut self, input: &'a [u8], bound: usize) -> Vec<&'a [u8]> {
        let mut chunks = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            let (head, tail) = rest.split_at(self.below(bound).min(rest.len()));
            chunks.push(head);
            rest = tail;
        }
        chunks
    }

    /// Up to `max_words - 1` words of `alphabet`, picked at random, end to end.
    pub(crate) fn words(&mut self, alphabet: &[&[u8]], max_words: usize) -> Vec<u8> {
        let mut input = Vec::new();
        for _ in 0..self.below(max_words) {
            input.extend_from_slice(alphabet[self.below(alphabet.len())]);
        }
        input
    }

    /// Up to `max_cuts - 1` cut positions in `0..=len`, in order (repeats allowed).
    pub(crate) fn cuts(&mut self, len: usize, max_cuts: usize) -> Vec<usize> {
        let mut cuts: Vec<usize> = (0..self.below(max_cuts))
            .map(|_| self.below(len + 1))
            .collect();
        cuts.sort_unstable();
        cuts
    }
}
