//! A small seeded random source (SplitMix64) so demo data is the same for
//! the same seed on every machine and every version of the dependencies.

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / ((1u64 << 53) as f64)
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index chosen with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if roll < u64::from(*w) {
                return i;
            }
            roll -= u64::from(*w);
        }
        weights.len().saturating_sub(1)
    }

    /// A Poisson-distributed count with mean `lambda` (Knuth's method; fine for small means).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.unit();
            if p <= limit || k > 1_000 {
                return k;
            }
            k += 1;
        }
    }

    /// A UUIDv7-shaped id with the given time and seeded random bits.
    pub fn uuid(&mut self, at_ms: i64) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        uuid::Builder::from_unix_timestamp_millis(
            at_ms.max(0) as u64,
            &bytes[..10].try_into().unwrap_or([0; 10]),
        )
        .into_uuid()
    }

    /// A valid NHS number in the 999 range reserved for testing.
    pub fn test_nhs_number(&mut self) -> String {
        loop {
            let mut digits = vec![9, 9, 9];
            for _ in 0..6 {
                digits.push(self.below(10) as u32);
            }
            if let Some(check) = candour_domain::nhs_number::check_digit(&digits) {
                digits.push(check);
                return digits.iter().map(|d| char::from(b'0' + *d as u8)).collect();
            }
        }
    }
}
