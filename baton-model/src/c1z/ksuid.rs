//! KSUIDs: the 27-character sync ids baton-sdk uses (segmentio/ksuid layout).
//!
//! Layout: 20 bytes = 4-byte big-endian `u32(unix_seconds - 1_400_000_000)` followed by 16 random
//! bytes, written as one 160-bit big-endian integer in base 62, left-padded to 27 characters.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Seconds between the Unix epoch and the KSUID epoch (2014-05-13T16:53:20Z).
pub const KSUID_EPOCH: i64 = 1_400_000_000;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RAW_LEN: usize = 20;
const TEXT_LEN: usize = 27;

/// A parsed or freshly generated KSUID.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ksuid([u8; RAW_LEN]);

/// Why a string is not a KSUID, or why one could not be generated.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KsuidError {
    /// The text is not exactly 27 characters long.
    #[error("a KSUID has 27 characters, got {0}")]
    Length(usize),
    /// The text holds a character outside the base-62 alphabet.
    #[error("invalid KSUID character {0:?}")]
    Character(char),
    /// The text encodes a number larger than 160 bits.
    #[error("KSUID value overflows 160 bits")]
    Overflow,
    /// The clock is outside the range a KSUID can encode.
    #[error("time {0} cannot be encoded in a KSUID")]
    Time(i64),
    /// The operating system's random source failed.
    #[error("random source failed")]
    Random(#[source] getrandom::Error),
}

impl Ksuid {
    /// A new KSUID for the current time with 16 bytes from the OS CSPRNG.
    pub fn generate() -> Result<Self, KsuidError> {
        Self::generate_at(chrono::Utc::now().timestamp())
    }

    /// A new KSUID for `unix_seconds` with 16 random bytes.
    pub fn generate_at(unix_seconds: i64) -> Result<Self, KsuidError> {
        let mut payload = [0u8; 16];
        getrandom::fill(&mut payload).map_err(KsuidError::Random)?;
        Self::from_parts(unix_seconds, payload)
    }

    /// Builds a KSUID from its timestamp and payload.
    pub fn from_parts(unix_seconds: i64, payload: [u8; 16]) -> Result<Self, KsuidError> {
        let ts = u32::try_from(unix_seconds - KSUID_EPOCH)
            .map_err(|_| KsuidError::Time(unix_seconds))?;
        let mut raw = [0u8; RAW_LEN];
        raw[..4].copy_from_slice(&ts.to_be_bytes());
        raw[4..].copy_from_slice(&payload);
        Ok(Self(raw))
    }

    /// The raw timestamp field (seconds since the KSUID epoch).
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }

    /// The creation time as Unix seconds.
    pub fn unix_seconds(&self) -> i64 {
        i64::from(self.timestamp()) + KSUID_EPOCH
    }

    /// The 16 random payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.0[4..]
    }

    /// The 20 raw bytes.
    pub fn as_bytes(&self) -> &[u8; RAW_LEN] {
        &self.0
    }
}

impl fmt::Display for Ksuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Long division of the 160-bit big-endian number by 62, least significant digit first.
        let mut num = self.0;
        let mut out = [b'0'; TEXT_LEN];
        let mut pos = TEXT_LEN;
        while num.iter().any(|&b| b != 0) && pos > 0 {
            let mut rem: u32 = 0;
            for byte in num.iter_mut() {
                let acc = (rem << 8) | u32::from(*byte);
                *byte = (acc / 62) as u8;
                rem = acc % 62;
            }
            pos -= 1;
            out[pos] = ALPHABET[rem as usize];
        }
        // The alphabet is ASCII, so every byte is a char.
        for &b in &out {
            fmt::Write::write_char(f, char::from(b))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Ksuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ksuid({self})")
    }
}

impl FromStr for Ksuid {
    type Err = KsuidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != TEXT_LEN {
            return Err(KsuidError::Length(s.chars().count()));
        }
        let mut raw = [0u8; RAW_LEN];
        for c in s.chars() {
            let digit = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                'a'..='z' => c as u32 - 'a' as u32 + 36,
                other => return Err(KsuidError::Character(other)),
            };
            // raw = raw * 62 + digit, from the least significant byte up.
            let mut carry = digit;
            for byte in raw.iter_mut().rev() {
                let acc = u32::from(*byte) * 62 + carry;
                *byte = (acc & 0xff) as u8;
                carry = acc >> 8;
            }
            if carry != 0 {
                return Err(KsuidError::Overflow);
            }
        }
        Ok(Self(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_timestamp() {
        let k: Ksuid = "0ujtsYcgvSTl8PAuAdqWYSMnLOv"
            .parse()
            .expect("valid test input");
        assert_eq!(k.timestamp(), 107_608_047);
        assert_eq!(k.unix_seconds(), 1_507_608_047);
        assert_eq!(k.to_string(), "0ujtsYcgvSTl8PAuAdqWYSMnLOv");
    }

    #[test]
    fn bounds() {
        let zero = Ksuid([0; 20]);
        assert_eq!(zero.to_string(), "000000000000000000000000000");
        let max = Ksuid([0xff; 20]);
        assert_eq!(max.to_string(), "aWgEPTl1tmebfsQzFP4bxwgy80V");
        assert_eq!(
            "aWgEPTl1tmebfsQzFP4bxwgy80V"
                .parse::<Ksuid>()
                .expect("valid test input"),
            max
        );
        assert!(matches!(
            "aWgEPTl1tmebfsQzFP4bxwgy80W".parse::<Ksuid>(),
            Err(KsuidError::Overflow)
        ));
        assert!(matches!("abc".parse::<Ksuid>(), Err(KsuidError::Length(3))));
        assert!(matches!(
            "0ujtsYcgvSTl8PAuAdqWYSMnLO-".parse::<Ksuid>(),
            Err(KsuidError::Character('-'))
        ));
    }

    #[test]
    fn generated_round_trips() {
        let now = 1_800_000_000;
        let a = Ksuid::generate_at(now).expect("valid test input");
        let b = Ksuid::generate_at(now).expect("valid test input");
        assert_ne!(a, b, "payload must be random");
        let text = a.to_string();
        assert_eq!(text.len(), 27);
        let back: Ksuid = text.parse().expect("valid test input");
        assert_eq!(back, a);
        assert_eq!(back.unix_seconds(), now);
        assert!(Ksuid::generate_at(KSUID_EPOCH - 1).is_err());
    }
}
