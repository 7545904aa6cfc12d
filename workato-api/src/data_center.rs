//! Workato data centers and their base URLs (docs/workato-api.md#data-centers).

use std::{fmt, str::FromStr};

/// A Workato data center; each has its own host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DataCenter {
    /// United States, `https://www.workato.com` (the default).
    #[default]
    Us,
    /// Europe, `https://app.eu.workato.com`.
    Eu,
    /// Japan, `https://app.jp.workato.com`.
    Jp,
    /// Singapore, `https://app.sg.workato.com`.
    Sg,
    /// Australia, `https://app.au.workato.com`.
    Au,
    /// Israel, `https://app.il.workato.com`.
    Il,
    /// Developer sandbox, trial and self-service plans, `https://app.trial.workato.com`.
    Sandbox,
    /// China, `https://app.workatoapp.cn`.
    Cn,
    /// South Korea, `https://app.kr.workato.com`.
    Kr,
}

impl DataCenter {
    /// Every data center, in the order of the table in docs/workato-api.md#data-centers.
    pub const ALL: [DataCenter; 9] = [
        DataCenter::Us,
        DataCenter::Eu,
        DataCenter::Jp,
        DataCenter::Sg,
        DataCenter::Au,
        DataCenter::Il,
        DataCenter::Sandbox,
        DataCenter::Cn,
        DataCenter::Kr,
    ];

    /// The key of every data center, in the order of [`DataCenter::ALL`] (`us`, `eu`, …): what
    /// configuration accepts and what error messages list.
    pub const KEYS: [&'static str; 9] = {
        let mut keys = [""; 9];
        let mut i = 0;
        while i < keys.len() {
            keys[i] = DataCenter::ALL[i].key();
            i += 1;
        }
        keys
    };

    /// The lower-case key used in configuration (`us`, `eu`, …).
    pub const fn key(self) -> &'static str {
        match self {
            DataCenter::Us => "us",
            DataCenter::Eu => "eu",
            DataCenter::Jp => "jp",
            DataCenter::Sg => "sg",
            DataCenter::Au => "au",
            DataCenter::Il => "il",
            DataCenter::Sandbox => "sandbox",
            DataCenter::Cn => "cn",
            DataCenter::Kr => "kr",
        }
    }

    /// The base URL (scheme and host, no `/api`).
    pub const fn base_url(self) -> &'static str {
        match self {
            DataCenter::Us => "https://www.workato.com",
            DataCenter::Eu => "https://app.eu.workato.com",
            DataCenter::Jp => "https://app.jp.workato.com",
            DataCenter::Sg => "https://app.sg.workato.com",
            DataCenter::Au => "https://app.au.workato.com",
            DataCenter::Il => "https://app.il.workato.com",
            DataCenter::Sandbox => "https://app.trial.workato.com",
            DataCenter::Cn => "https://app.workatoapp.cn",
            DataCenter::Kr => "https://app.kr.workato.com",
        }
    }
}

impl fmt::Display for DataCenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// An unknown data-center key; its message lists [`DataCenter::KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Workato data center {given:?}; valid keys: {}", DataCenter::KEYS.join(", "))]
pub struct UnknownDataCenter {
    /// What was given.
    pub given: String,
}

impl FromStr for DataCenter {
    type Err = UnknownDataCenter;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        DataCenter::ALL
            .into_iter()
            .find(|dc| dc.key() == wanted)
            .ok_or_else(|| UnknownDataCenter {
                given: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for dc in DataCenter::ALL {
            assert_eq!(dc.to_string().parse::<DataCenter>(), Ok(dc));
            assert!(dc.base_url().starts_with("https://"));
        }
        assert_eq!("EU".parse::<DataCenter>(), Ok(DataCenter::Eu));
        assert_eq!(
            DataCenter::KEYS,
            ["us", "eu", "jp", "sg", "au", "il", "sandbox", "cn", "kr"]
        );
        for (dc, key) in DataCenter::ALL.into_iter().zip(DataCenter::KEYS) {
            assert_eq!(dc.key(), key);
        }
        assert_eq!(DataCenter::Eu.base_url(), "https://app.eu.workato.com");
        assert_eq!(
            DataCenter::Sandbox.base_url(),
            "https://app.trial.workato.com"
        );
    }

    #[test]
    fn unknown_key_lists_valid_keys() {
        let err = "uk".parse::<DataCenter>().expect_err("unknown key");
        assert_eq!(
            err.to_string(),
            "unknown Workato data center \"uk\"; valid keys: us, eu, jp, sg, au, il, sandbox, cn, kr"
        );
    }
}
